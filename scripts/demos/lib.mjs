// What every pattern demo shares: the gateway client, a fresh demo customer, orders and polling, numbered steps with
// a "why" line, checks that stop the demo (exit 1) when the system does not show what the step claims, and control of
// the app processes a demo stops and restarts — natively (the pid files of scripts/start-local.sh) or under Docker
// Compose (`docker compose stop|start`). A demo always restarts what it stopped, on failure and on Ctrl-C too.
// Only Node built-ins here; the Kafka peek runs kafkajs from node_modules (natively) or inside a container (compose).
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, localEnvFile, ROOT } from '../lib.mjs';

export { freePort, ROOT, sleep };

const LOCAL = resolve(ROOT, '.local');

/** The variables the apps were started with: .env (else .env.example), overridden by this process's environment. */
function loadEnv() {
  const values = localEnvFile();
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) values[key] = value;
  return values;
}

export const env = loadEnv();
export const GATEWAY = (process.env.GATEWAY_URL ?? `http://127.0.0.1:${env.GATEWAY_HTTP_PORT ?? 8080}`).replace(/\/$/, '');
/** How long order waits for a saga before it cancels (30 s by default; scripts/test.sh runs the system with 8 s). */
export const SAGA_DEADLINE_MS = Number(env.ORDER_SAGA_DEADLINE_MS ?? 30_000);
/** How long order's breakers stay open before a probe (5 s by default; 2 s in scripts/test.sh). */
export const BREAKER_HALF_OPEN_MS = Number(env.ORDER_BREAKER_HALF_OPEN_MS ?? 5_000);
/** The longest a saga can take to finish, with room for a loaded machine. */
export const SETTLE_MS = SAGA_DEADLINE_MS + 20_000;

// ---------------------------------------------------------------- output: numbered steps and checks

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code, text) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
export const bold = (text) => paint('1', text);
const dim = (text) => paint('2', text);
const green = (text) => paint('32', text);
const red = (text) => paint('31', text);

/** A demo's evidence is missing: the system did not do what the step says. */
export class DemoFailure extends Error {}

let stepNumber = 0;

/** Starts step n: what the demo does now, and why the pattern makes it happen. */
export function step(title, why) {
  stepNumber += 1;
  console.log(`\n${bold(`[${stepNumber}] ${title}`)}`);
  if (why) console.log(dim(`    why: ${why}`));
}

/** Prints what happened, indented under the current step. */
export function show(label, value) {
  if (value === undefined) console.log(`    ${label}`);
  else console.log(`    ${label}: ${typeof value === 'string' ? value : brief(value)}`);
}

/** JSON on one line, cut at `max` characters. */
function brief(value, max = 400) {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The evidence of a step: prints ✓ with `claim`, or stops the demo with the claim and what was seen instead. */
export function check(condition, claim, seen) {
  if (!condition) throw new DemoFailure(`${claim}${seen === undefined ? '' : ` — saw ${typeof seen === 'string' ? seen : brief(seen)}`}`);
  console.log(`    ${green('✓')} ${claim}`);
}

export const money = (cents) => `${cents < 0 ? '-' : ''}${(Math.abs(cents) / 100).toFixed(2)} USD`;

// ---------------------------------------------------------------- the public API (through the gateway)

/** One HTTP call with a 15 s timeout; the body is parsed as JSON when it is JSON. `ms` is the round trip. */
export async function http(method, url, { token, body, headers = {} } = {}) {
  const sent = { ...headers };
  if (token) sent.authorization = `Bearer ${token}`;
  if (body !== undefined) sent['content-type'] = 'application/json';
  const started = performance.now();
  let response;
  try {
    response = await fetch(url, { method, headers: sent, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(15_000) });
  } catch (error) {
    throw new DemoFailure(`${method} ${url} did not answer: ${error.cause?.code ?? error.message}`);
  }
  const text = await response.text();
  const ms = Math.round(performance.now() - started);
  let parsed = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON (metrics, HTML): keep the text
  }
  return { status: response.status, body: parsed, headers: response.headers, ms };
}

/** A call to the gateway's public API: `api('GET', '/api/me', { token })`. */
export const api = (method, path, options) => http(method, `${GATEWAY}${path}`, options);

/** The gateway answers: the demos need the system running (npm run start:local or docker compose up). */
async function requireGateway() {
  try {
    const response = await fetch(`${GATEWAY}/health/ready`, { signal: AbortSignal.timeout(3_000) });
    if (response.status === 200) return;
    throw new DemoFailure(`the gateway at ${GATEWAY} is not ready (${response.status} ${await response.text()})`);
  } catch (error) {
    if (error instanceof DemoFailure) throw error;
    throw new DemoFailure(
      `no gateway answers at ${GATEWAY}: start the shop first (npm run start:local, or docker compose up) or set GATEWAY_URL`,
    );
  }
}

/** Registers a fresh customer (a new email each run), logs in and, when asked, deposits into the wallet. */
export async function newCustomer(depositCents = 0, name = 'Demo Customer') {
  const email = `demo-${randomUUID()}@example.com`;
  const password = 'correct horse battery staple';
  const registered = await api('POST', '/api/auth/register', { body: { email, password, name } });
  if (registered.status !== 201) throw new DemoFailure(`register answered ${registered.status} ${brief(registered.body)}`);
  const login = await api('POST', '/api/auth/login', { body: { email, password } });
  if (login.status !== 200) throw new DemoFailure(`login answered ${login.status} ${brief(login.body)}`);
  const customer = { id: registered.body.id, email, token: login.body.accessToken };
  if (depositCents > 0) await deposit(customer, depositCents);
  return customer;
}

/** Deposits into the customer's wallet (an Idempotency-Key makes a retried deposit count once); the new balance. */
export async function deposit(customer, amountCents, idempotencyKey) {
  const response = await api('POST', '/api/wallet/deposits', {
    token: customer.token,
    body: { amountCents },
    headers: idempotencyKey ? { 'idempotency-key': idempotencyKey } : {},
  });
  if (response.status !== 201) throw new DemoFailure(`deposit answered ${response.status} ${brief(response.body)}`);
  return response.body.balanceCents;
}

export async function balance(customer, at) {
  const response = await api('GET', at ? `/api/wallet?at=${encodeURIComponent(at)}` : '/api/wallet', { token: customer.token });
  if (response.status !== 200) throw new DemoFailure(`GET /api/wallet answered ${response.status} ${brief(response.body)}`);
  return response.body.balanceCents;
}

export async function products(token) {
  const response = await api('GET', '/api/products', { token });
  if (response.status !== 200) throw new DemoFailure(`GET /api/products answered ${response.status}`);
  return response.body;
}

export async function product(token, id) {
  const response = await api('GET', `/api/products/${id}`, { token });
  if (response.status !== 200) throw new DemoFailure(`GET /api/products/${id} answered ${response.status}`);
  return response.body;
}

/** The catalog's products with the most units left and a price the demo wallets can pay, most stock first. */
export async function plentiful(token, count = 1, maxPriceCents = 20_000) {
  const found = (await products(token)).filter((p) => p.available >= 10 && p.priceCents <= maxPriceCents).sort((a, b) => b.available - a.available);
  if (found.length < count) throw new DemoFailure(`the catalog has ${found.length} products with 10 or more units left; the demo needs ${count}`);
  return found.slice(0, count);
}

/** POST /api/orders with a fresh Idempotency-Key (or the one given); answers 202 {id, status: PENDING}. */
export async function placeOrder(customer, items, { saga, idempotencyKey = randomUUID() } = {}) {
  const response = await api('POST', '/api/orders', {
    token: customer.token,
    body: saga ? { items, saga } : { items },
    headers: { 'idempotency-key': idempotencyKey },
  });
  if (response.status !== 202) throw new DemoFailure(`POST /api/orders answered ${response.status} ${brief(response.body)}`);
  return response.body;
}

/** Polls the order read model until the order reaches one of `statuses`. */
export async function orderUntil(customer, orderId, statuses, timeoutMs = SETTLE_MS) {
  let last;
  const found = await until(
    `order ${orderId} to be ${statuses.join(' or ')}`,
    async () => {
      last = await api('GET', `/api/orders/${orderId}`, { token: customer.token });
      return last.status === 200 && statuses.includes(last.body.status) ? last.body : undefined;
    },
    timeoutMs,
    150,
  ).catch((error) => {
    throw new DemoFailure(`${error.message}; the read model last answered ${last?.status} ${brief(last?.body)}`);
  });
  return found;
}

/** Waits until `probe` returns something other than undefined, or fails naming `what`. */
export async function until(what, probe, timeoutMs = 30_000, intervalMs = 200) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch((error) => (error instanceof DemoFailure ? undefined : Promise.reject(error)));
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw new DemoFailure(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** "PENDING +0 ms → CONFIRMED +112 ms → SHIPPED +1.2 s": an order's status history, timed from placement. */
export function historyLine(order) {
  const start = Date.parse(order.history[0]?.at ?? order.createdAt);
  return order.history
    .map((entry) => {
      const ms = Date.parse(entry.at) - start;
      return `${entry.status} +${ms < 1_000 ? `${ms} ms` : `${(ms / 1_000).toFixed(1)} s`}`;
    })
    .join(' → ');
}

// ---------------------------------------------------------------- the apps behind the gateway (native or compose)

const APP_ENTRY = {
  gateway: 'gateway/dist/main.js',
  user: 'services/user/dist/main.js',
  order: 'services/order/dist/main.js',
  inventory: 'services/inventory/dist/main.js',
  payment: 'services/payment/dist/main.js',
  shipping: 'services/shipping/dist/main.js',
  recommendation: 'services/recommendation/dist/main.js',
  'shipping-worker-1': 'services/shipping/dist/worker.js',
  'shipping-worker-2': 'services/shipping/dist/worker.js',
};

const pidFile = (app) => resolve(LOCAL, 'pids', `${app}.pid`);

function livePid(app) {
  try {
    const pid = Number(readFileSync(pidFile(app), 'utf8').trim());
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/**
 * `native` when the gateway runs from scripts/start-local.sh (its pid file names a live process), else `compose`:
 * internal ports are then reached inside the containers, and apps are stopped with `docker compose stop`.
 */
export const TARGET = livePid('gateway') !== undefined ? 'native' : 'compose';

/** An app's HTTP port (scripts/lib.sh http_port): workers use SHIPPING_WORKER_HTTP_PORT and the next one. */
function httpPort(app) {
  const workerBase = Number(env.SHIPPING_WORKER_HTTP_PORT ?? 3015);
  if (app === 'shipping-worker-1') return TARGET === 'native' ? workerBase : 3015;
  if (app === 'shipping-worker-2') return TARGET === 'native' ? workerBase + 1 : 3015;
  return Number(env[`${app.toUpperCase()}_HTTP_PORT`]);
}

/** The compose service of an app, and which replica (the two workers are replicas of `shipping-worker`). */
function composeTarget(app) {
  const worker = /^shipping-worker-(\d)$/.exec(app);
  return worker ? { service: 'shipping-worker', index: Number(worker[1]) } : { service: app, index: 1 };
}

function run(command, args, { timeoutMs = 60_000 } = {}) {
  return new Promise((resolvePromise, reject) => {
    execFile(command, args, { cwd: ROOT, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new DemoFailure(`${command} ${args.join(' ')} failed: ${(stderr || error.message).trim().split('\n').slice(-3).join(' ')}`));
      else resolvePromise(stdout);
    });
  });
}

/** GET on an app's own HTTP port (health, metrics, internal reads): directly, or from inside its container. */
export async function internalGet(app, path) {
  if (TARGET === 'native') return http('GET', `http://127.0.0.1:${httpPort(app)}${path}`);
  const { service, index } = composeTarget(app);
  const script =
    'fetch(process.argv[1], { signal: AbortSignal.timeout(10000) }).then(async (r) => ' +
    'process.stdout.write(JSON.stringify({ status: r.status, text: await r.text() })), (e) => { console.error(e.message); process.exit(1); })';
  const out = await run('docker', ['compose', 'exec', '-T', '--index', String(index), service, 'node', '-e', script, `http://127.0.0.1:${httpPort(app)}${path}`], {
    timeoutMs: 20_000,
  });
  const { status, text } = JSON.parse(out);
  let body = text;
  try {
    body = JSON.parse(text);
  } catch {
    // metrics are text
  }
  return { status, body, ms: undefined };
}

/** The value of one Prometheus sample from an app's /metrics, e.g. metric(text, 'shop_breaker_state', {dependency: 'payment'}). */
export function metric(text, name, labels = {}) {
  let sum;
  for (const line of String(text).split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) sum = (sum ?? 0) + Number(match[3]);
  }
  return sum ?? 0;
}

async function ready(app) {
  try {
    return (await internalGet(app, '/health/ready')).status === 200;
  } catch {
    return false;
  }
}

/** Apps this process stopped and has not restarted yet: restarted on failure, on exit and on Ctrl-C. */
const stopped = new Map();

/** Stops an app (SIGTERM, a graceful stop) and resolves once it is gone. */
export async function stopApp(app) {
  if (TARGET === 'native') {
    const pid = livePid(app);
    if (pid === undefined) throw new DemoFailure(`${app} is not running (no live pid in .local/pids/${app}.pid)`);
    stopped.set(app, {});
    process.kill(pid, 'SIGTERM');
    await until(`${app} (pid ${pid}) to exit`, async () => (livePid(app) === undefined ? true : undefined), 20_000, 100).catch((error) => {
      process.kill(pid, 'SIGKILL');
      throw error;
    });
    return `pid ${pid}, SIGTERM`;
  }
  const { service, index } = composeTarget(app);
  const ids = (await run('docker', ['compose', 'ps', '-q', service])).split('\n').filter(Boolean);
  const names = await Promise.all(ids.map(async (id) => ({ id, name: (await run('docker', ['inspect', '-f', '{{.Name}}', id])).trim() })));
  const container = names.find(({ name }) => name.endsWith(`-${index}`)) ?? names[0];
  if (!container) throw new DemoFailure(`no running container of compose service ${service}`);
  stopped.set(app, { container: container.id });
  await run('docker', ['stop', container.id]);
  return `container ${container.name.replace(/^\//, '')}, docker stop`;
}

/** Starts an app stopped by stopApp the way start-local (or compose) runs it, and waits until /health/ready is 200. */
export async function startApp(app) {
  const record = stopped.get(app);
  if (TARGET === 'native') {
    if (livePid(app) === undefined) {
      mkdirSync(resolve(LOCAL, 'logs'), { recursive: true });
      const log = openSync(resolve(LOCAL, 'logs', `${app}.log`), 'a');
      const overrides = app.startsWith('shipping-worker-') ? { SHIPPING_WORKER_HTTP_PORT: String(httpPort(app)) } : {};
      const child = spawn(process.execPath, [resolve(ROOT, APP_ENTRY[app])], {
        cwd: ROOT,
        env: { ...env, ...overrides },
        detached: true,
        stdio: ['ignore', log, log],
      });
      closeSync(log);
      child.unref();
      writeFileSync(pidFile(app), String(child.pid));
    }
  } else if (record?.container) {
    await run('docker', ['start', record.container]);
  } else {
    await run('docker', ['compose', 'start', composeTarget(app).service]);
  }
  stopped.delete(app);
  await until(`${app} to be ready again`, async () => ((await ready(app)) ? true : undefined), 90_000, 250);
  return TARGET === 'native' ? `pid ${livePid(app)}` : 'container started';
}

/** Restarts whatever a failed or interrupted demo left stopped. */
async function restoreStoppedApps() {
  for (const app of [...stopped.keys()]) {
    console.log(dim(`    restoring ${app}…`));
    try {
      await startApp(app);
      console.log(dim(`    ${app} is back`));
    } catch (error) {
      console.error(red(`    could not restart ${app}: ${error.message} (npm run start:local starts what is not running)`));
    }
  }
}

// ---------------------------------------------------------------- peeking at Kafka topics

// Runs with kafkajs where it is installed: the repository's node_modules, or /app/node_modules in a container.
// Notes the topics' end offsets, joins a throw-away consumer group and seeks every partition to them; prints {ready}
// once a fetch has run with every partition of the topics assigned, so the consumer's positions are set and every
// event published from then on is read. Then it prints every event on the topics from those offsets, one JSON line
// each, until its standard input closes, and deletes its group. (Ready used to come before the group was joined; once,
// in CI, the events one topic received while the group was joining were missing.)
const PEEK = `
const { Kafka, logLevel } = require('kafkajs');
const topics = process.argv[1].split(',');
const kafka = new Kafka({ clientId: 'demo-peek', brokers: process.env.KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING });
const groupId = 'demo-peek-' + require('node:crypto').randomUUID();
(async () => {
  const admin = kafka.admin();
  await admin.connect();
  const starts = {};
  for (const topic of topics) starts[topic] = await admin.fetchTopicOffsets(topic);
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 500 });
  let assigned = false;
  let ready = false;
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    for (const topic of topics) for (const p of starts[topic]) consumer.seek({ topic, partition: p.partition, offset: p.offset });
    assigned = topics.every((topic) => (payload.memberAssignment[topic] ?? []).length === starts[topic].length);
  });
  consumer.on(consumer.events.FETCH, () => {
    if (!assigned || ready) return;
    ready = true;
    console.log(JSON.stringify({ ready: true }));
  });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: false });
  await consumer.run({ eachMessage: async ({ topic, partition, message }) => {
    const e = JSON.parse(message.value.toString());
    console.log(JSON.stringify({ topic, partition, offset: Number(message.offset), id: e.id, type: e.type, occurredAt: e.occurredAt, causationId: e.causationId, data: e.data }));
  } });
  process.stdin.on('end', async () => {
    await consumer.disconnect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
    process.exit(0);
  });
  process.stdin.resume();
})().catch((e) => { console.error(e.message); process.exit(1); });
`;

/**
 * Starts reading `topics` from their current end. `events()` is what arrived so far; `stop()` ends the peek.
 * Natively kafkajs runs here against KAFKA_BROKERS; under compose it runs inside the order container.
 */
export async function peekTopics(topics) {
  const args = ['-e', PEEK, topics.join(',')];
  const child =
    TARGET === 'native'
      ? spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] })
      : spawn('docker', ['compose', 'exec', '-T', 'order', 'node', ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  const events = [];
  let errors = '';
  let buffered = '';
  let readyResolve;
  const isReady = new Promise((resolvePromise) => (readyResolve = resolvePromise));
  child.stdout.on('data', (chunk) => {
    buffered += chunk;
    let newline;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      if (!line.trim()) continue;
      const parsed = JSON.parse(line);
      if (parsed.ready) readyResolve(true);
      else events.push(parsed);
    }
  });
  child.stderr.on('data', (chunk) => (errors += chunk));
  const exited = new Promise((resolvePromise) => child.on('exit', (code) => resolvePromise(code)));
  const first = await Promise.race([isReady, exited.then(() => false), sleep(20_000).then(() => false)]);
  if (!first) {
    child.kill('SIGKILL');
    throw new DemoFailure(`could not read Kafka topics ${topics.join(', ')}: ${errors.trim() || 'no answer within 20 s'}`);
  }
  return {
    events: () => [...events],
    async stop() {
      child.stdin.end();
      const code = await Promise.race([exited, sleep(10_000).then(() => 'timeout')]);
      if (code === 'timeout') child.kill('SIGKILL');
    },
  };
}

/** The committed offsets of a consumer group on a topic, by partition (read with kafkajs' admin client). */
export async function groupOffsets(groupId, topic) {
  const script = `
const { Kafka, logLevel } = require('kafkajs');
const admin = new Kafka({ clientId: 'demo-offsets', brokers: process.env.KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING }).admin();
admin.connect().then(() => admin.fetchOffsets({ groupId: process.argv[1], topics: [process.argv[2]] }))
  .then(async (r) => { console.log(JSON.stringify(r[0].partitions)); await admin.disconnect(); })
  .catch((e) => { console.error(e.message); process.exit(1); });`;
  const out =
    TARGET === 'native'
      ? await new Promise((resolvePromise, reject) =>
          execFile(process.execPath, ['-e', script, groupId, topic], { cwd: ROOT, env, timeout: 20_000 }, (error, stdout, stderr) =>
            error ? reject(new DemoFailure(`reading the offsets of ${groupId}: ${stderr || error.message}`)) : resolvePromise(stdout),
          ),
        )
      : await run('docker', ['compose', 'exec', '-T', 'order', 'node', '-e', script, groupId, topic], { timeoutMs: 20_000 });
  return Object.fromEntries(JSON.parse(out).map((p) => [p.partition, Number(p.offset)]));
}

// ---------------------------------------------------------------- running a demo

/**
 * Runs one demo: its title, then its steps; restarts anything it left stopped; resolves true when every check
 * passed. A failed check prints ✗ and the evidence that was missing.
 */
export async function runDemo(demo) {
  stepNumber = 0;
  const started = Date.now();
  console.log(`\n${bold(`━━ ${demo.name}: ${demo.title}`)}`);
  console.log(dim(`   against ${GATEWAY} (${TARGET}); docs: ${demo.docs}`));
  try {
    await requireGateway();
    await demo.run();
    console.log(`\n${green('✓')} ${bold(demo.name)}: every step showed its evidence (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    return true;
  } catch (error) {
    const where = stepNumber === 0 ? 'before the first step' : `step ${stepNumber}`;
    console.error(`\n${red('✗')} ${bold(demo.name)}, ${where}: ${error instanceof DemoFailure ? error.message : error.stack}`);
    return false;
  } finally {
    await restoreStoppedApps();
  }
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    console.error(red(`\n${signal}: restarting what the demo stopped, then exiting`));
    void restoreStoppedApps().finally(() => process.exit(130));
  });
}

/** For `node scripts/demos/<pattern>.mjs` run directly; exits at once (idle keep-alive sockets would hold it open). */
export async function runAlone(demo) {
  process.exit((await runDemo(demo)) ? 0 : 1);
}
