// Benchmark of the API gateway (not a test): what the gateway costs on top of a service, on 127.0.0.1.
//
//   npm run bench:gateway            (builds the gateway with tsc -b when its dist is missing)
//   BENCH_SECONDS=10 BENCH_CONNECTIONS=50 node scripts/bench-gateway.mjs
//   BENCH_UPSTREAM=bench node scripts/bench-gateway.mjs   (skip the inventory app: a route without a database)
//
// The gateway runs with GATEWAY_RECORD_PRODUCT_VIEWS=false: each product view is otherwise a Kafka event on
// user-activity.v1, and a benchmark would publish hundreds of thousands of synthetic views that the
// recommendation service (on a shared broker) would then count. BENCH_RECORD_VIEWS=true includes them, on a
// broker of your own only.
//
// In one run, each phase measured by autocannon in a separate Node process (the load generator is never
// the measured process):
//   (a) a bare Node http server answering a small JSON;
//   (b) one service route directly: the real inventory app's GET /products/:id when services/inventory/dist
//       exists and its database answers, else a tiny Nest app started like every service (startService);
//   (c) the same route through the gateway (JWT verified, rate limits on but high enough not to trip);
//   (d) (b) and (c) again at a fixed, evenly paced rate of a quarter of (c)'s capacity, as two interleaved streams
//       of that rate each: the latency the gateway adds; and before them the bare server alone at that rate, the
//       machine's own floor (paced by this script's own open-loop generator, since autocannon's rate limit sends
//       each second's requests in one burst).
// For each: requests/s, p50/p99 latency, CPU ms per request of the server processes (from
// /proc/<pid>/stat before and after) and the ratio to (a), with the target next to it, met or MISSED: the service
// >= 0.7x bare, gateway + service >= 0.15x bare, the gateway adding <= 1 ms at p50 and <= 3 ms at p99 in (d).
import { spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuMs, freePort, localEnvFile, ROOT } from './lib.mjs';

const SELF = fileURLToPath(import.meta.url);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const HOST = '127.0.0.1';

const role = process.argv.find((arg) => arg.startsWith('--role='))?.slice('--role='.length);
if (role === 'bare') await bareServer(Number(process.argv[3]));
else if (role === 'upstream') await benchUpstream(Number(process.argv[3]));
else if (role === 'load') await load(JSON.parse(process.argv[3]));
else if (role === 'paced') await paced(JSON.parse(process.argv[3]));
else await main();

// ---------------------------------------------------------------------------------------------- roles

/** (a) The floor: Node's http module and JSON.stringify, nothing else. */
async function bareServer(port) {
  const body = JSON.stringify({ id: randomUUID(), sku: 'SKU-1', name: 'Bench product', priceCents: 1999, available: 10 });
  createServer((request, response) => {
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    response.end(body);
  }).listen(port, HOST, () => process.send?.('ready'));
}

/** (b) fallback: a Nest app built the way the services are (startService, PlatformModule, Fastify). */
async function benchUpstream(port) {
  await import('reflect-metadata');
  const { Controller, Get, Module, Param } = await import('@nestjs/common');
  const { createLogger, PlatformModule, startService } = await import('@shop/platform');
  class ProductsController {
    get(id) {
      return { id, sku: 'SKU-1', name: 'Bench product', priceCents: 1999, available: 10 };
    }
  }
  Controller('products')(ProductsController);
  const descriptor = Object.getOwnPropertyDescriptor(ProductsController.prototype, 'get');
  Get(':id')(ProductsController.prototype, 'get', descriptor);
  Param('id')(ProductsController.prototype, 'get', 0);
  const logger = createLogger('bench-upstream', 'warn');
  class BenchUpstreamModule {}
  Module({ imports: [PlatformModule.forRoot({ service: 'bench-upstream', logger })], controllers: [ProductsController] })(BenchUpstreamModule);
  await startService({ service: 'bench-upstream', logger, module: BenchUpstreamModule, httpPort: port, host: HOST });
  process.send?.('ready');
}

/** Sorts `latencies` in place; the answer gives the value at quantile q (0..1), NaN when there are none. */
function percentiles(latencies) {
  latencies.sort((a, b) => a - b);
  return (q) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] : NaN);
}

/** The load generator: autocannon in its own process; latencies kept at full precision (autocannon's histogram has 1 ms steps). */
async function load(options) {
  const { default: autocannon } = await import('autocannon');
  const latencies = [];
  const instance = autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    headers: options.headers,
    ...(options.rate ? { overallRate: options.rate } : {}),
  });
  instance.on('response', (_client, statusCode, _bytes, ms) => {
    if (statusCode >= 200 && statusCode < 300) latencies.push(ms);
  });
  const result = await instance;
  const at = percentiles(latencies);
  process.stdout.write(
    JSON.stringify({
      ok: latencies.length,
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      seconds: result.duration,
      rps: latencies.length / result.duration,
      p50: at(0.5),
      p99: at(0.99),
    }),
  );
}

/**
 * An evenly paced, open-loop load for latency at a fixed rate: autocannon's rate limit sends each second's
 * quota in a burst and then waits, which measures queueing at full speed, not latency at a quarter load.
 * Requests start on schedule over a pool of keep-alive connections per target, whether or not the earlier ones have
 * answered. With several targets the streams are interleaved, each at `rate`: request i goes to target i mod n. On a
 * shared machine a stall of a few tens of ms (the scheduler, the hypervisor) delays every request in flight, and at
 * 1% of the samples one such stall is the p99; interleaved streams live through the same stalls, so the difference
 * between their percentiles is what the extra hop costs, not which phase the stall fell in.
 */
async function paced(options) {
  const { Pool } = await import('undici');
  const streams = options.targets.map((target) => {
    const url = new URL(target.url);
    return { ...target, path: url.pathname + url.search, pool: new Pool(url.origin, { connections: options.connections, keepAliveTimeout: 30_000 }) };
  });
  const pending = new Set();
  const reset = () => streams.forEach((stream) => Object.assign(stream, { latencies: [], failures: 0 }));
  const fire = (stream) => {
    const t0 = performance.now();
    const request = stream.pool
      .request({ method: 'GET', path: stream.path, headers: stream.headers })
      .then(async (response) => {
        await response.body.arrayBuffer();
        if (response.statusCode >= 200 && response.statusCode < 300) stream.latencies.push(performance.now() - t0);
        else stream.failures++;
      })
      .catch(() => stream.failures++)
      .finally(() => pending.delete(request));
    pending.add(request);
  };
  const intervalMs = 1000 / (options.rate * streams.length);
  const pace = async (seconds) => {
    const total = Math.floor(options.rate * streams.length * seconds);
    const started = performance.now();
    let sent = 0;
    while (sent < total) {
      const due = Math.min(total, Math.floor((performance.now() - started) / intervalMs) + 1);
      for (; sent < due; sent++) fire(streams[sent % streams.length]);
      await new Promise((resolvePromise) => setTimeout(resolvePromise, Math.max(0, started + sent * intervalMs - performance.now())));
    }
    await Promise.all(pending);
    return (performance.now() - started) / 1000;
  };
  // The warm-up runs in this same process: a fresh generator's first requests (its connections being opened, its own
  // code not yet optimised) are slow on their own, and at 1% of the samples they alone would be the p99.
  reset();
  await pace(options.warmupSeconds);
  reset();
  const seconds = await pace(options.seconds);
  await Promise.all(streams.map((stream) => stream.pool.close()));
  const results = streams.map(({ label, latencies, failures }) => {
    const at = percentiles(latencies);
    return { label, ok: latencies.length, non2xx: failures, errors: 0, timeouts: 0, seconds, rps: latencies.length / seconds, p50: at(0.5), p99: at(0.99) };
  });
  process.stdout.write(JSON.stringify(results));
}

// ------------------------------------------------------------------------------------------ orchestration

async function main() {
  if (Number(process.versions.node.split('.')[0]) < 24) throw new Error(`Node 24 is required (this is ${process.version}): run it with npm run bench:gateway`);
  const children = [];
  const stopAll = () => children.forEach((child) => child.exitCode === null && child.kill('SIGTERM'));
  process.on('exit', stopAll);
  process.on('SIGINT', () => process.exit(130));

  if (!existsSync(resolve(ROOT, 'gateway/dist/main.js'))) {
    console.log('building the gateway (tsc -b gateway)');
    const build = spawnSync(resolve(ROOT, 'node_modules/.bin/tsc'), ['-b', 'gateway'], { cwd: ROOT, stdio: 'inherit' });
    if (build.status !== 0) throw new Error('gateway build failed');
  }
  console.log(`gateway benchmark on ${HOST}: ${SECONDS} s per phase after ${WARMUP_SECONDS} s of warm-up, ${CONNECTIONS} connections, Node ${process.version}, ${availableParallelism()} cores\n`);

  // (a) bare
  const barePort = await freePort();
  const bare = track(children, spawn(process.execPath, [SELF, '--role=bare', String(barePort)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  await readyMessage(bare);
  const a = await measure('(a) bare node http', `http://${HOST}:${barePort}/`, {}, [bare]);
  bare.kill('SIGTERM');

  // (b) the service directly
  const useInventory = (process.env.BENCH_UPSTREAM ?? 'inventory') === 'inventory';
  const service = (useInventory ? await startInventory(children) : undefined) ?? (await startBenchUpstream(children));
  const b = await measure(`(b) ${service.label} direct`, service.url, {}, [service.process]);

  // (c) through the gateway
  const gateway = await startGateway(children, service.baseUrl);
  const gatewayUrl = `http://${HOST}:${gateway.port}/api${service.path}`;
  const check = await fetch(gatewayUrl, { headers: gateway.headers });
  if (check.status !== 200) throw new Error(`the gateway answered ${check.status} for ${gatewayUrl}: ${await check.text()}`);
  const c = await measure('(c) gateway -> service', gatewayUrl, gateway.headers, [gateway.process, service.process]);

  // (d) added latency at a quarter of the gateway's capacity: the service directly and through the gateway as two
  // interleaved streams of that rate each, so that both live through the same machine; before them, the bare server
  // paced alone at the same rate, for the machine's own floor. A third stream for the floor, interleaved with the two,
  // made the generator send half as much again and put a fourth busy process on two cores, which raised every tail:
  // on 2026-11-29 the gateway added a median of 13.9 ms at p99 over 7 such runs against 3.5 ms over 13 runs with two.
  const rate = Math.max(10, Math.floor(c.rps / 4));
  const floor = track(children, spawn(process.execPath, [SELF, '--role=bare', String(barePort)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  await readyMessage(floor);
  process.stdout.write(`(d) bare node http alone, then direct and through the gateway interleaved, ${rate} req/s each ...`);
  const paced = (targets) => runLoad('paced', { targets, rate, connections: 16, seconds: SECONDS, warmupSeconds: WARMUP_SECONDS });
  const [bareFloor] = await paced([{ label: '(d) bare node http', url: `http://${HOST}:${barePort}/`, headers: {} }]);
  floor.kill('SIGTERM');
  const [direct, through] = await paced([
    { label: '(d) direct', url: service.url, headers: {} },
    { label: '(d) through gateway', url: gatewayUrl, headers: gateway.headers },
  ]);
  process.stdout.write(` ${Math.round(direct.rps + through.rps)} req/s in all\n`);

  stopAll();
  report({ a, b, c, bareFloor, direct, through, rate, service });
  process.exit(0);
}

async function measure(label, url, headers, processes) {
  process.stdout.write(`${label} ...`);
  await runLoad('load', { url, headers, connections: CONNECTIONS, seconds: WARMUP_SECONDS });
  const before = processes.map((child) => cpuMs(child.pid));
  const result = await runLoad('load', { url, headers, connections: CONNECTIONS, seconds: SECONDS });
  const cpu = processes.map((child, i) => cpuMs(child.pid) - before[i]);
  const failures = result.non2xx + result.errors + result.timeouts;
  const total = result.ok + failures;
  process.stdout.write(` ${Math.round(result.rps)} req/s${failures ? ` (${failures} failures of ${total})` : ''}\n`);
  return { label, ...result, cpuMsPerRequest: cpu.map((ms) => ms / Math.max(1, result.ok)) };
}

function runLoad(role, options) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [SELF, `--role=${role}`, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.on('exit', (code) => (code === 0 ? resolvePromise(JSON.parse(output)) : reject(new Error(`load generator exited with ${code}`))));
  });
}

async function startInventory(children) {
  const main = resolve(ROOT, 'services/inventory/dist/main.js');
  if (!existsSync(main)) return undefined;
  const env = { ...localEnvFile(), ...process.env, LOG_LEVEL: 'warn' };
  const migrate = spawnSync(process.execPath, [resolve(ROOT, 'services/inventory/dist/migrate.js')], { cwd: ROOT, env, timeout: 30_000, encoding: 'utf8' });
  if (migrate.status !== 0) {
    console.log(`(inventory migrations failed, using the bench upstream instead: ${(migrate.stderr || migrate.stdout).trim().split('\n').pop()})`);
    return undefined;
  }
  const port = await freePort();
  env.INVENTORY_HTTP_PORT = String(port);
  env.INVENTORY_GRPC_PORT = String(await freePort());
  const child = track(children, spawn(process.execPath, [main], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] }));
  const baseUrl = `http://${HOST}:${port}`;
  try {
    const list = await retryFor(20_000, async () => {
      if (child.exitCode !== null) throw Object.assign(new Error(`the inventory app exited with ${child.exitCode}`), { fatal: true });
      const response = await fetch(`${baseUrl}/products`);
      if (response.status !== 200) throw new Error(`GET /products answered ${response.status}`);
      return response.json();
    });
    const id = Array.isArray(list) ? list[0]?.id : undefined;
    if (!id) throw new Error('the catalog is empty');
    const one = await fetch(`${baseUrl}/products/${id}`);
    if (one.status !== 200) throw new Error(`GET /products/${id} answered ${one.status}`);
    return { label: 'inventory GET /products/:id', process: child, baseUrl, path: `/products/${id}`, url: `${baseUrl}/products/${id}` };
  } catch (error) {
    console.log(`(the inventory app did not serve its catalog, using the bench upstream instead: ${error.message})`);
    child.kill('SIGTERM');
    return undefined;
  }
}

async function startBenchUpstream(children) {
  const port = await freePort();
  const child = track(children, spawn(process.execPath, [SELF, '--role=upstream', String(port)], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }));
  await readyMessage(child);
  const baseUrl = `http://${HOST}:${port}`;
  const path = `/products/${randomUUID()}`;
  return { label: 'bench Nest upstream GET /products/:id', process: child, baseUrl, path, url: `${baseUrl}${path}` };
}

async function startGateway(children, inventoryUrl) {
  const { SignJWT } = await import('jose');
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const port = await freePort();
  const closed = `http://${HOST}:${await freePort()}`;
  const closedGrpc = `${HOST}:${await freePort()}`;
  const env = {
    ...localEnvFile(),
    ...process.env,
    GATEWAY_HTTP_PORT: String(port),
    INVENTORY_HTTP_URL: inventoryUrl,
    USER_HTTP_URL: closed,
    ORDER_HTTP_URL: closed,
    USER_GRPC_ADDRESS: closedGrpc,
    ORDER_GRPC_ADDRESS: closedGrpc,
    PAYMENT_GRPC_ADDRESS: closedGrpc,
    RECOMMENDATION_GRPC_ADDRESS: closedGrpc,
    GATEWAY_JWT_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    GATEWAY_RATE_LIMIT_PER_USER: '1000000000',
    GATEWAY_RATE_LIMIT_PER_IP: '1000000000',
    LOG_LEVEL: 'info',
    GATEWAY_RECORD_PRODUCT_VIEWS: process.env.BENCH_RECORD_VIEWS === 'true' ? 'true' : 'false',
  };
  delete env.GATEWAY_JWT_PUBLIC_KEY_FILE;
  // stdout (one access-log line per request) goes to /dev/null: the logging cost is measured, not a terminal's.
  const child = track(children, spawn(process.execPath, [resolve(ROOT, 'gateway/dist/main.js')], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] }));
  await retryFor(20_000, async () => {
    if (child.exitCode !== null) throw Object.assign(new Error(`the gateway exited with ${child.exitCode}`), { fatal: true });
    const response = await fetch(`http://${HOST}:${port}/health`);
    if (response.status !== 200) throw new Error(`health answered ${response.status}`);
  });
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT' })
    .setSubject(randomUUID())
    .setIssuer(env.JWT_ISSUER ?? 'shop-user')
    .setAudience(env.JWT_AUDIENCE ?? 'shop-api')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(privateKey);
  return { process: child, port, headers: { authorization: `Bearer ${token}` } };
}

// ------------------------------------------------------------------------------------------------ report

function report({ a, b, c, bareFloor, direct, through, rate, service }) {
  const fmt = (n, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
  const sum = (values) => values.reduce((x, y) => x + y, 0);
  const verdict = (ok) => (ok ? 'met' : 'MISSED');
  const serviceRatio = b.rps / a.rps;
  const gatewayRatio = c.rps / a.rps;
  const rows = [
    ['phase', 'req/s', 'p50 ms', 'p99 ms', 'CPU ms/req', 'x bare', 'target'],
    [a.label, fmt(a.rps, 0), fmt(a.p50), fmt(a.p99), fmt(a.cpuMsPerRequest[0], 3), '1.00', ''],
    [b.label, fmt(b.rps, 0), fmt(b.p50), fmt(b.p99), fmt(b.cpuMsPerRequest[0], 3), fmt(serviceRatio), `>= 0.70 ${verdict(serviceRatio >= 0.7)}`],
    [
      c.label,
      fmt(c.rps, 0),
      fmt(c.p50),
      fmt(c.p99),
      `${fmt(sum(c.cpuMsPerRequest), 3)} (gateway ${fmt(c.cpuMsPerRequest[0], 3)} + service ${fmt(c.cpuMsPerRequest[1], 3)})`,
      fmt(gatewayRatio),
      `>= 0.15 ${verdict(gatewayRatio >= 0.15)}`,
    ],
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => String(row[i]).length)));
  console.log(`\nservice: ${service.label}; gateway with access logs, JWT verification, rate limits; product-view events ${process.env.BENCH_RECORD_VIEWS === 'true' ? 'on' : 'off'}`);
  for (const row of rows) console.log(row.map((cell, i) => String(cell).padEnd(widths[i])).join('  '));

  const addedP50 = through.p50 - direct.p50;
  const addedP99 = through.p99 - direct.p99;
  console.log(`\nat a quarter of the gateway's capacity (${rate} req/s per stream, evenly paced; direct and through the gateway interleaved):`);
  console.log(`  bare node http  p50 ${fmt(bareFloor.p50)} ms  p99 ${fmt(bareFloor.p99)} ms  (alone at that rate just before: this machine's floor)`);
  console.log(`  direct          p50 ${fmt(direct.p50)} ms  p99 ${fmt(direct.p99)} ms`);
  console.log(`  through gateway p50 ${fmt(through.p50)} ms  p99 ${fmt(through.p99)} ms`);
  console.log(`  gateway adds    p50 ${fmt(addedP50)} ms (target <= 1 ms: ${verdict(addedP50 <= 1)})  p99 ${fmt(addedP99)} ms (target <= 3 ms: ${verdict(addedP99 <= 3)})`);

  console.log('\ntargets:');
  console.log(`  service >= 0.7x bare:            ${fmt(serviceRatio)}x  ${verdict(serviceRatio >= 0.7)}`);
  console.log(`  gateway+service >= 0.15x bare:   ${fmt(gatewayRatio)}x  ${verdict(gatewayRatio >= 0.15)}`);
  console.log(`  gateway adds <= 1 ms at p50:     ${fmt(addedP50)} ms  ${verdict(addedP50 <= 1)}`);
  console.log(`  gateway adds <= 3 ms at p99:     ${fmt(addedP99)} ms  ${verdict(addedP99 <= 3)}`);
  const failures = [a, b, c, bareFloor, direct, through].filter((phase) => phase.non2xx + phase.errors + phase.timeouts > 0);
  if (failures.length) console.log(`\nphases with failed requests: ${failures.map((phase) => phase.label).join(', ')}`);
}

// ----------------------------------------------------------------------------------------------- helpers

function track(children, child) {
  children.push(child);
  return child;
}

function readyMessage(child) {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error('a server process did not start within 20 s')), 20_000);
    child.once('message', () => {
      clearTimeout(timer);
      resolvePromise();
    });
    child.once('exit', (code) => reject(new Error(`a server process exited with ${code}`)));
  });
}

async function retryFor(ms, attempt) {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (error.fatal || Date.now() > deadline) throw error;
      await new Promise((resolvePromise) => setTimeout(resolvePromise, 250));
    }
  }
}
