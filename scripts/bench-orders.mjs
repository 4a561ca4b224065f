// npm run bench:orders — orders per second through the gateway, both saga styles side by side, in one run.
//
// Runs against the system started by `npm run start:local` (loopback only, bounded in time). For each style it offers
// orders at constant arrival rates (open loop), measures completion (order.confirmed / order.cancelled read from Kafka),
// and prints: completed orders/s at saturation, p50/p99 from POST to CONFIRMED at half that rate, CPU ms per completed
// order across all processes of the system (apps, Kafka, PostgreSQL), completed/accepted, next to the raw PostgreSQL
// single-insert transaction rate measured in the same run, and where the time from POST to CONFIRMED goes, hop by hop.
// Each phase starts once the shop has finished the work of the phases before it (consumer groups caught up, outboxes
// and the shipping queue empty), and its CPU counts until its own orders' fulfilment is done. The benchmark restocks
// the local catalog before it starts (and puts the stock back after). All orders come from one IP, so start the
// system with the gateway's rate limits raised, or it measures the limiter: GATEWAY_RATE_LIMIT_PER_USER=1000000 GATEWAY_RATE_LIMIT_PER_IP=1000000 npm run start:local
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRequire } from 'node:module';
import pg from 'pg';
import { Agent, request } from 'undici';
import { ADMIN_POSTGRES_URL, CLOCK_TICKS, cpuTicksOf, localEnvFile, ROOT } from './lib.mjs';

// The shop's own Kafka client factory (built by start:local): bounded timeouts, and without kafkajs's idle 1 ms timer.
const require = createRequire(import.meta.url);
const { createKafka } = require(resolve(ROOT, 'libs/messaging/dist/index.js'));
const { createLogger } = require(resolve(ROOT, 'libs/platform/dist/index.js'));
const { SHIPPING_QUEUE } = require(resolve(ROOT, 'libs/contracts/dist/index.js'));
const amqp = require('amqplib');
/** .env's variables, each overridden by this process's environment when it sets it. */
const env = Object.fromEntries(Object.entries(localEnvFile()).map(([name, value]) => [name, process.env[name] ?? value]));
const GATEWAY = `http://127.0.0.1:${env.GATEWAY_HTTP_PORT}`;
/** The admin's URL for the shop database that one of .env's `*_DATABASE_URL` names. */
const adminUrlOf = (databaseUrl) => Object.assign(new URL(ADMIN_POSTGRES_URL), { pathname: new URL(databaseUrl).pathname }).toString();
/** Every shop database, as the admin reaches it. */
const shopDatabases = () => Object.entries(env).filter(([name]) => name.endsWith('_DATABASE_URL')).map(([, url]) => adminUrlOf(url));
const RATES = (process.env.BENCH_RATES ?? '40,80,120,160,200').split(',').map(Number);
const PHASE_SECONDS = Number(process.env.BENCH_PHASE_SECONDS ?? 6);
const agent = new Agent({ connections: 64, pipelining: 1, keepAliveTimeout: 30_000 });

async function call(method, path, { token, body } = {}) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await request(`${GATEWAY}${path}`, { method, headers, body: body ? JSON.stringify(body) : undefined, dispatcher: agent, headersTimeout: 10_000, bodyTimeout: 10_000 });
  const text = await res.body.text();
  return { status: res.statusCode, body: text ? JSON.parse(text) : undefined };
}

/** The system's processes, each with its name: the apps (from start:local's pid files), Kafka and PostgreSQL. */
function systemProcesses() {
  const named = new Map();
  const pidsDir = resolve(ROOT, '.local/pids');
  for (const f of readdirSync(pidsDir)) named.set(Number(readFileSync(resolve(pidsDir, f), 'utf8')), f.replace(/\.pid$/, ''));
  const kafkaPid = resolve(ROOT, '.local/kafka/kafka.pid');
  if (existsSync(kafkaPid)) named.set(Number(readFileSync(kafkaPid, 'utf8')), 'kafka');
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') named.set(Number(entry), 'postgresql');
    } catch {}
  }
  return named;
}

/**
 * Clock ticks per process so far. A Java process's JIT compiler threads count apart, as
 * "<name> JIT": a broker started shortly before keeps compiling for minutes (about half of Kafka's CPU in the first
 * run after a start, measured on 2026-11-29), which is the JVM warming up, not the work each order asks of it.
 */
function cpuTicks() {
  const ticks = new Map();
  for (const [pid, name] of systemProcesses()) {
    try {
      ticks.set(pid, { name, ticks: cpuTicksOf(`/proc/${pid}/stat`) });
      if (name !== 'kafka') continue;
      let jit = 0;
      for (const task of readdirSync(`/proc/${pid}/task`)) {
        try {
          if (/^C\d CompilerThre/.test(readFileSync(`/proc/${pid}/task/${task}/comm`, 'utf8'))) jit += cpuTicksOf(`/proc/${pid}/task/${task}/stat`);
        } catch {}
      }
      ticks.get(pid).ticks -= jit;
      ticks.set(`${pid} JIT`, { name: `${name} JIT`, ticks: jit });
    } catch {}
  }
  return ticks;
}

/**
 * Clock ticks used between two snapshots, by process name (all PostgreSQL backends are one name). Per process, so a
 * process that ended in between (a PostgreSQL backend) drops out instead of taking its earlier ticks off the total;
 * a process started in between counts in full.
 */
function ticksSince(before) {
  const used = new Map();
  for (const [pid, now] of cpuTicks()) used.set(now.name, (used.get(now.name) ?? 0) + now.ticks - (before.get(pid)?.ticks ?? 0));
  return used;
}

async function postgresBase(seconds = 4, clients = 8) {
  const admin = new pg.Client({ connectionString: ADMIN_POSTGRES_URL });
  await admin.connect();
  await admin.query('CREATE TEMP TABLE IF NOT EXISTS _noop (x int)');
  await admin.query('DROP TABLE IF EXISTS bench_orders_base');
  await admin.query('CREATE TABLE bench_orders_base (id uuid PRIMARY KEY, payload jsonb NOT NULL, at timestamptz NOT NULL DEFAULT now())');
  const pool = new pg.Pool({ connectionString: ADMIN_POSTGRES_URL, max: clients });
  const end = Date.now() + seconds * 1000;
  let count = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < end) {
        await pool.query('INSERT INTO bench_orders_base (id, payload) VALUES ($1, $2)', [randomUUID(), { n: count }]);
        count++;
      }
    }),
  );
  await pool.end();
  await admin.query('DROP TABLE bench_orders_base');
  await admin.end();
  return count / seconds;
}

/**
 * Where the server runs without autovacuum (some CI machines do), the saga's updates leave dead rows and the planner
 * has no statistics, and each phase would measure the previous phases' debris: CPU per order rose by about 40% over
 * a few thousand orders. This does what autovacuum would have done by then, before each style, so both styles start
 * alike. With autovacuum on (the default, and in docker compose and Kubernetes) it does nothing.
 */
async function vacuumIfNoAutovacuum() {
  const { rows } = await withClient(ADMIN_POSTGRES_URL, (client) => client.query(`SELECT setting FROM pg_settings WHERE name = 'autovacuum'`));
  if (rows[0]?.setting !== 'off') return false;
  for (const url of shopDatabases()) await withClient(url, (client) => client.query('VACUUM (ANALYZE)'));
  return true;
}

/** Runs `work` on a client of `url` connected for it alone. */
async function withClient(url, work) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Gives every product ample stock for the run; returns how to put the catalog's stock back as it was. */
async function restock() {
  const client = new pg.Client({ connectionString: env.INVENTORY_DATABASE_URL });
  await client.connect();
  const { rows } = await client.query('SELECT id, stock FROM products');
  await client.query('UPDATE products SET stock = 1000000');
  await client.end();
  return async () => {
    const restore = new pg.Client({ connectionString: env.INVENTORY_DATABASE_URL });
    await restore.connect();
    await restore.query('UPDATE products p SET stock = s.stock FROM unnest($1::uuid[], $2::int[]) AS s(id, stock) WHERE p.id = s.id', [
      rows.map((r) => r.id),
      rows.map((r) => r.stock),
    ]);
    await restore.end();
  };
}

const pct = (values, p) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

/**
 * Each style's hops, in order. A hop ends when its outbox row is written (the service's transaction committed) or
 * taken by the relay, as the databases' clocks record it; the bench's own clock (the same host's) marks the POST and
 * the listener's receipt of order.confirmed.
 */
const HOPS = {
  orchestration: [
    ['POST -> order.placed committed', 'post', 'order.placed.v1:created'],
    ['saga: Reserve, Charge, confirm (gRPC)', 'order.placed.v1:created', 'order.confirmed.v1:created'],
    ['order relay takes order.confirmed', 'order.confirmed.v1:created', 'order.confirmed.v1:sent'],
    ['Kafka -> the listener', 'order.confirmed.v1:sent', 'received'],
  ],
  choreography: [
    ['POST -> order.placed committed', 'post', 'order.placed.v1:created'],
    ['order relay takes order.placed', 'order.placed.v1:created', 'order.placed.v1:sent'],
    ['Kafka -> inventory reserves', 'order.placed.v1:sent', 'inventory.reserved.v1:created'],
    ['inventory relay', 'inventory.reserved.v1:created', 'inventory.reserved.v1:sent'],
    ['Kafka -> payment charges', 'inventory.reserved.v1:sent', 'payment.charged.v1:created'],
    ['payment relay', 'payment.charged.v1:created', 'payment.charged.v1:sent'],
    ['Kafka -> order confirms', 'payment.charged.v1:sent', 'order.confirmed.v1:created'],
    ['order relay takes order.confirmed', 'order.confirmed.v1:created', 'order.confirmed.v1:sent'],
    ['Kafka -> the listener', 'order.confirmed.v1:sent', 'received'],
  ],
};

/**
 * Where the time from POST to CONFIRMED goes, hop by hop, for the completed orders of a phase: the outbox rows each
 * service wrote for them (created_at when its transaction wrote the row, sent_at when the relay took it) give the
 * moments between the bench's POST and its listener's receipt. Answers per hop p50, p99 and the mean over the
 * slowest 1% of orders, which shows what the tail is made of.
 */
async function stages(style, ids, placedAt, done) {
  const moments = new Map(ids.map((id) => [id, { post: performance.timeOrigin + placedAt.get(id), received: performance.timeOrigin + done.get(id).at }]));
  const types = [...new Set(HOPS[style].flatMap(([, from, to]) => [from, to]).map((m) => m.split(':')[0]).filter((t) => t.includes('.')))];
  for (const name of ['ORDER', 'INVENTORY', 'PAYMENT']) {
    const { rows } = await withClient(adminUrlOf(env[`${name}_DATABASE_URL`]), (client) =>
      client.query(
        `SELECT message_key, envelope->>'type' AS type, extract(epoch FROM created_at) * 1000 AS created, extract(epoch FROM sent_at) * 1000 AS sent
           FROM outbox WHERE message_key = ANY($1) AND envelope->>'type' = ANY($2)`,
        [ids, types],
      ),
    );
    for (const row of rows) Object.assign(moments.get(row.message_key), { [`${row.type}:created`]: Number(row.created), [`${row.type}:sent`]: Number(row.sent) });
  }
  const complete = [...moments.values()].filter((m) => HOPS[style].every(([, from, to]) => Number.isFinite(m[from]) && Number.isFinite(m[to])));
  const total = (m) => m.received - m.post;
  const slowest = [...complete].sort((a, b) => total(b) - total(a)).slice(0, Math.max(1, Math.ceil(complete.length / 100)));
  const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;
  return {
    orders: complete.length,
    hops: HOPS[style].map(([label, from, to]) => {
      const spans = complete.map((m) => m[to] - m[from]);
      return { label, p50: pct(spans, 50), p99: pct(spans, 99), slowest: mean(slowest.map((m) => m[to] - m[from])) };
    }),
    total: { p50: pct(complete.map(total), 50), p99: pct(complete.map(total), 99), slowest: mean(slowest.map(total)) },
  };
}

function printStages(results) {
  console.log('\nwhere the time goes at half load, hop by hop (ms): p50 and p99 of each hop, and its mean over the slowest 1% of orders');
  const ms = (value) => (Number.isFinite(value) ? value.toFixed(1) : 'n/a').padStart(10);
  for (const [style, { stages: s }] of Object.entries(results)) {
    console.log(`  ${`${style} (${s.orders} orders)`.padEnd(48)}${'p50'.padStart(10)}${'p99'.padStart(10)}${'slowest 1%'.padStart(12)}`);
    for (const hop of s.hops) console.log(`    ${hop.label.padEnd(46)}${ms(hop.p50)}${ms(hop.p99)}  ${ms(hop.slowest)}`);
    console.log(`    ${'POST -> the listener has order.confirmed'.padEnd(46)}${ms(s.total.p50)}${ms(s.total.p99)}  ${ms(s.total.slowest)}`);
  }
}

/**
 * Waits until the shop has done all the work earlier orders left behind, so that a phase measures its own orders
 * only: every consumer group caught up (scripts/wait-consumers-drained.mjs, the check `npm test` makes before the
 * end-to-end specs), no unsent outbox row in any service's database and no task in the shipping work queue, twice
 * in a row a second apart (a handler in progress may still write an outbox row). An order counts as completed when
 * it is CONFIRMED, but its fulfilment (the shipping task, the shipment, SHIPPED, the read model, recommendations)
 * goes on after that: measured on 2026-11-29, the fulfilment a saturation phase left behind kept the orchestrated
 * saga's p50 at 113-152 ms in the first four seconds of the half-load phase that followed and at 71-101 ms in the next
 * six, against 25-34 ms from the fifteenth second on.
 */
async function quiesce(timeoutMs = 180_000) {
  const until = Date.now() + timeoutMs;
  let clean = 0;
  while (clean < 2) {
    if (Date.now() > until) throw new Error(`the shop still had work in hand after ${timeoutMs / 1000} s`);
    const drained = await new Promise((done) => {
      const child = spawn(process.execPath, [resolve(ROOT, 'scripts/wait-consumers-drained.mjs')], {
        env: { ...process.env, KAFKA_BROKERS: env.KAFKA_BROKERS, WAIT_DRAINED_TIMEOUT_MS: String(Math.max(1_000, until - Date.now())) },
        stdio: 'ignore',
      });
      child.on('exit', (code) => done(code === 0));
    });
    if (!drained) throw new Error(`consumer groups still behind after ${timeoutMs / 1000} s`);
    let unsent = 0;
    for (const url of shopDatabases()) {
      unsent += await withClient(url, async (client) => {
        const [{ outbox }] = (await client.query(`SELECT to_regclass('outbox') IS NOT NULL AS outbox`)).rows;
        return outbox ? (await client.query('SELECT count(*)::int AS n FROM outbox WHERE sent_at IS NULL')).rows[0].n : 0;
      });
    }
    const connection = await amqp.connect(env.RABBITMQ_URL);
    const channel = await connection.createChannel();
    const queued = (await channel.checkQueue(SHIPPING_QUEUE.queue)).messageCount + (await channel.checkQueue(SHIPPING_QUEUE.retryQueue)).messageCount;
    await connection.close();
    clean = unsent === 0 && queued === 0 ? clean + 1 : 0;
    await sleep(1_000);
  }
}

async function main() {
  console.log('bench:orders — preparing (restock, customers, Kafka listener)');
  const restoreStock = await restock();
  // An interrupted run (Ctrl-C, a killed terminal) puts the stock back too: `finally` does not run on a signal.
  const onSignal = (signal) => {
    console.error(`bench:orders — ${signal}: restoring the catalog's stock`);
    restoreStock().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  try {
    await run();
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    await restoreStock();
    await agent.close();
  }
}

async function run() {
  const customers = [];
  for (let i = 0; i < 40; i++) {
    const email = `bench-${randomUUID()}@example.com`;
    await call('POST', '/api/auth/register', { body: { email, password: 'bench-password', name: 'Bench' } });
    const { body } = await call('POST', '/api/auth/login', { body: { email, password: 'bench-password' } });
    await call('POST', '/api/wallet/deposits', { token: body.accessToken, body: { amountCents: 100_000_000 } });
    customers.push(body.accessToken);
  }
  const catalog = (await call('GET', '/api/products', { token: customers[0] })).body;

  const placedAt = new Map();
  const done = new Map();
  const kafka = createKafka({ clientId: 'bench-orders', brokers: env.KAFKA_BROKERS.split(','), logger: createLogger('bench-orders', 'silent') });
  const consumer = kafka.consumer({ groupId: `bench-orders-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topics: ['orders.events.v1'], fromBeginning: false });
  // Completions are read from Kafka: measuring starts only once this listener's group is joined.
  const joined = new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, resolve));
  await consumer.run({
    eachMessage: async ({ message }) => {
      const event = JSON.parse(message.value.toString());
      if (event.type !== 'order.confirmed.v1' && event.type !== 'order.cancelled.v1') return;
      const id = event.data.orderId;
      if (placedAt.has(id) && !done.has(id)) done.set(id, { at: performance.now(), status: event.type === 'order.confirmed.v1' ? 'CONFIRMED' : 'CANCELLED' });
    },
  });
  await joined;

  async function phase(style, rate, seconds) {
    const ids = [];
    let rejected = 0;
    let rateLimited = 0;
    const interval = 1000 / rate;
    const started = performance.now();
    const cpuBefore = cpuTicks();
    const inflight = [];
    for (let i = 0; performance.now() - started < seconds * 1000; i++) {
      const due = started + i * interval;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const token = customers[i % customers.length];
      const product = catalog[i % catalog.length];
      const t0 = performance.now();
      inflight.push(
        call('POST', '/api/orders', { token, body: { items: [{ productId: product.id, quantity: 1 }], saga: style } })
          .then(({ status, body }) => {
            if (status === 202) {
              placedAt.set(body.id, t0);
              ids.push(body.id);
            } else {
              rejected++;
              if (status === 429) rateLimited++;
            }
          })
          .catch(() => rejected++),
      );
    }
    await Promise.all(inflight);
    if (rateLimited > 0) {
      throw new Error(
        `${rateLimited} orders were refused with 429 by the gateway's rate limits: this measures the limiter, not the saga. ` +
          'Start the system with GATEWAY_RATE_LIMIT_PER_USER=1000000 GATEWAY_RATE_LIMIT_PER_IP=1000000 npm run start:local',
      );
    }
    const offeredSeconds = (performance.now() - started) / 1000;
    const settleUntil = performance.now() + 15_000;
    while (performance.now() < settleUntil && ids.some((id) => !done.has(id))) await sleep(100);
    const elapsed = (Math.max(...ids.map((id) => done.get(id)?.at ?? 0), performance.now() - 15_000) - started) / 1000;
    // The CPU of these orders includes their fulfilment, which goes on after CONFIRMED; the next phase starts after it.
    await quiesce();
    const cpuMsByProcess = new Map([...ticksSince(cpuBefore)].map(([name, ticks]) => [name, (ticks / CLOCK_TICKS) * 1000]));
    const cpuMs = [...cpuMsByProcess.values()].reduce((a, b) => a + b, 0);
    const completed = ids.filter((id) => done.get(id)?.status === 'CONFIRMED');
    const latencies = completed.map((id) => done.get(id).at - placedAt.get(id));
    return {
      style,
      rate,
      completedIds: completed,
      accepted: ids.length,
      rejected,
      completed: completed.length,
      unfinished: ids.filter((id) => !done.has(id)).length,
      completedPerSecond: completed.length / Math.max(elapsed, offeredSeconds),
      completedRatio: ids.length ? completed.length / ids.length : 0,
      p50: pct(latencies, 50),
      p99: pct(latencies, 99),
      cpuMsPerOrder: completed.length ? cpuMs / completed.length : NaN,
      cpuMsPerOrderByProcess: new Map([...cpuMsByProcess].map(([name, ms]) => [name, completed.length ? ms / completed.length : NaN])),
    };
  }

  const base = await postgresBase();
  console.log(`PostgreSQL single-insert transactions/s (8 clients): ${base.toFixed(0)}`);
  const results = {};
  // Warm-up, not measured: JIT, connection pools and consumer fetch loops of every app reach their steady state.
  await quiesce();
  for (const style of ['orchestration', 'choreography']) await phase(style, 10, 4);
  for (const style of ['orchestration', 'choreography']) {
    if (await vacuumIfNoAutovacuum()) console.log(`  (autovacuum is off on this server: VACUUM (ANALYZE) of the shop's databases before ${style})`);
    let best;
    for (const rate of RATES) {
      const r = await phase(style, rate, PHASE_SECONDS);
      console.log(`  ${style.padEnd(13)} offered ${String(rate).padStart(4)}/s: completed ${r.completedPerSecond.toFixed(1)}/s, ratio ${r.completedRatio.toFixed(3)}, unfinished ${r.unfinished}, p50 ${r.p50.toFixed(0)} ms, p99 ${r.p99.toFixed(0)} ms`);
      if (r.completedRatio >= 0.98 && r.unfinished === 0 && (!best || r.completedPerSecond > best.completedPerSecond)) best = r;
      if (r.completedRatio < 0.98 || r.unfinished > 0) break;
    }
    const half = await phase(style, Math.max(1, Math.round((best?.completedPerSecond ?? RATES[0]) / 2)), PHASE_SECONDS);
    results[style] = { saturation: best, half, stages: await stages(style, half.completedIds, placedAt, done) };
  }
  await consumer.disconnect();

  const row = (label, f) => console.log(`${label.padEnd(42)}${['orchestration', 'choreography'].map((s) => f(results[s]).padStart(16)).join('')}`);
  console.log('\n' + ''.padEnd(42) + 'orchestration'.padStart(16) + 'choreography'.padStart(16));
  row('completed orders/s at saturation', (r) => (r.saturation ? r.saturation.completedPerSecond.toFixed(1) : 'n/a'));
  row('  ratio to PostgreSQL single inserts/s', (r) => (r.saturation ? (r.saturation.completedPerSecond / base).toFixed(3) + 'x' : 'n/a'));
  row('p50 POST->CONFIRMED at half load (ms)', (r) => r.half.p50.toFixed(0));
  row('p99 POST->CONFIRMED at half load (ms)', (r) => r.half.p99.toFixed(0));
  row('CPU ms per completed order (all processes)', (r) => r.half.cpuMsPerOrder.toFixed(1));
  const names = [...new Set(Object.values(results).flatMap((r) => [...r.half.cpuMsPerOrderByProcess.keys()]))].sort();
  for (const name of names) row(`  ${name}`, (r) => (r.half.cpuMsPerOrderByProcess.get(name) ?? 0).toFixed(1));
  row('completed / accepted at half load', (r) => r.half.completedRatio.toFixed(3));
  console.log(`${'PostgreSQL single-insert tx/s (base)'.padEnd(42)}${base.toFixed(0).padStart(16)}`);
  printStages(results);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
