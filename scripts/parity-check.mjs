// Parity between the packaged shop and the code: proves that docker-compose.yml and the k8s overlays give every app
// exactly what it needs, without Docker or a cluster.
//
// Static part (always):
//   compose   each app service's environment, host names mapped to 127.0.0.1 and container paths to local ones,
//             passes the app's own config loader (load<App>Config from its dist); no variable is given that the app
//             does not read; every host:port it names is a port that service listens on; the health check port is
//             the app's HTTP port; migrations and the PostgreSQL init script get the apps' database URLs.
//   k8s       the same for each app Deployment of every overlay, with its ConfigMap, referenced Secret keys (the
//             rendered dev Secrets, the k8s/secrets/*.example.env files for production) and mounted key files;
//             probes are GET /health/ready and GET /health on the app's HTTP port, the gRPC port is the app's;
//             every host:port names a port of a rendered Service.
// Run part (unless --static): starts each app natively with exactly compose's environment (mapped), on the
// standard ports, after running compose's one-shot services natively (PostgreSQL init script, keys, migrations),
// waits for every /health/ready, runs a smoke through the gateway (register, log in, deposit, list products,
// place an order, read it back until CONFIRMED) and stops everything it started.
//
// Usage: node scripts/parity-check.mjs [--static] [--no-build] [--compose=<file>, default docker-compose.yml]
//        node scripts/parity-check.mjs --smoke-only[=<gateway URL>]   only the smoke, against a running system
//                                                                      (default http://127.0.0.1:8080, e.g. after docker compose up)
// The run part needs PostgreSQL, RabbitMQ and Kafka on 127.0.0.1 (scripts/ensure-infra.sh, run here) and the
// standard ports free: it refuses to start while `npm run start:local` (or anything else) holds them.
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { OVERLAYS, ROOT, appConfig, appDir, loadCompose, readEnvFile, renderKustomization, say } from './validate-lib.mjs';

const args = new Set(process.argv.slice(2));
const COMPOSE_FILE = resolve(process.argv.find((arg) => arg.startsWith('--compose='))?.slice('--compose='.length) ?? join(ROOT, 'docker-compose.yml'));
const STATIC_ONLY = args.has('--static');
const WORK = join(ROOT, '.local', 'parity');
/** Variables an image sets for itself or that Node reads; no app config lists them. */
const RUNTIME_VARIABLES = new Set(['PROTO_ROOT', 'NODE_ENV', 'NODE_OPTIONS', 'NODE_EXTRA_CA_CERTS']);
/** Ports the infrastructure images listen on (compose services without an app). */
const INFRASTRUCTURE_PORTS = { postgres: ['5432'], kafka: ['9092', '9093'], rabbitmq: ['5672', '15672'] };
const IMAGE_WORKDIR = '/app';

const problems = [];
const notes = [];
const report = (where, message) => problems.push(`${where}: ${message}`);

function build() {
  const projects = ['gateway', ...['user', 'order', 'inventory', 'payment', 'shipping', 'recommendation'].map((app) => `services/${app}`)];
  say(`building the apps (tsc -b ${projects.join(' ')})`);
  execFileSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-b', ...projects], { cwd: ROOT, stdio: 'inherit', timeout: 600_000 });
}

// ------------------------------------------------------------------ compose
/** Compose services described for a native run. */
function composeServices(compose) {
  const names = Object.keys(compose.services);
  return Object.entries(compose.services).map(([name, service]) => {
    const app = service.build?.args?.APP;
    const command = Array.isArray(service.command) ? service.command : undefined;
    const healthPort = /127\.0\.0\.1:(\d+)\/health\/ready/.exec(JSON.stringify(service.healthcheck?.test ?? ''))?.[1];
    return {
      name,
      app,
      oneShot: service.restart === 'no',
      replicas: service.deploy?.replicas ?? 1,
      command: command ?? (app ? ['node', `${appDir(app)}/dist/main.js`] : undefined),
      environment: service.environment,
      healthPort,
      portVariable: healthPort ? Object.keys(service.environment).find((key) => service.environment[key] === healthPort) : undefined,
      mounts: (service.volumes ?? []).map((volume) => {
        const [source, target] = String(volume).split(':');
        const local = source.startsWith('.') || source.startsWith('/') ? resolve(ROOT, source) : join(WORK, 'volumes', source);
        return { target, local };
      }),
      dependsOn: Object.keys(service.depends_on ?? {}),
      isService: (host) => names.includes(host),
    };
  });
}

/** Compose's environment for a process on this machine: service host names -> 127.0.0.1, container paths -> local. */
function nativeEnvironment(service, hosts) {
  const hostPattern = new RegExp(`(^|[/@,])(${hosts.map((host) => host.replace(/[-.]/g, '\\$&')).join('|')})(?=:\\d)`, 'g');
  return Object.fromEntries(
    Object.entries(service.environment).map(([key, value]) => {
      let mapped = value.replace(hostPattern, '$1127.0.0.1');
      const mount = service.mounts.find(({ target }) => mapped === target || mapped.startsWith(`${target}/`));
      if (mount) mapped = mount.local + mapped.slice(mount.target.length);
      else if (mapped.startsWith(`${IMAGE_WORKDIR}/`)) mapped = join(ROOT, mapped.slice(IMAGE_WORKDIR.length + 1));
      return [key, mapped];
    }),
  );
}

/** host:port pairs named in a value (URLs, host:port, comma-separated broker lists). */
const addresses = (value) => [...String(value).matchAll(/(?:^|[/@,])([a-z][a-z0-9-]*):(\d{2,5})(?=$|[/,?])/g)].map((match) => ({ host: match[1], port: match[2] }));

function loadsWith(where, app, env) {
  try {
    return appConfig(app).load(env);
  } catch (error) {
    report(where, `${app}'s config rejects this environment:\n      ${String(error.message).split('\n').join('\n      ')}`);
    return undefined;
  }
}

function checkUnknown(where, app, env) {
  const known = new Set(appConfig(app).variables);
  for (const key of Object.keys(env)) {
    if (!known.has(key) && !RUNTIME_VARIABLES.has(key)) report(where, `${key} is given, but ${app}'s config does not read it`);
  }
}

function checkCompose(services, example) {
  const hosts = services.map((service) => service.name);
  const keys = services.find((service) => service.name === 'keys');
  if (keys) runOnce(keys, hosts, 'keys');
  const postgres = services.find((service) => service.name === 'postgres');
  const apps = services.filter((service) => service.app && !service.oneShot);
  for (const service of apps) {
    const where = `docker-compose.yml ${service.name}`;
    const env = nativeEnvironment(service, hosts);
    checkUnknown(where, service.app, env);
    const config = loadsWith(where, service.app, env);
    if (!service.portVariable) report(where, 'its health check does not GET /health/ready on a port its environment sets');
    else if (config && String(config[service.portVariable]) !== service.healthPort) report(where, `health check port ${service.healthPort} is not ${service.portVariable}`);
    for (const [key, value] of Object.entries(service.environment)) {
      if (example[key] === undefined) notes.push(`${where}: ${key} is not listed in .env.example`);
      else if (key.endsWith('_PORT') && example[key] !== value) report(where, `${key}=${value}, but .env.example says ${example[key]}`);
      for (const { host, port } of addresses(value)) {
        const target = services.find((candidate) => candidate.name === host);
        if (!target) continue;
        const listens = INFRASTRUCTURE_PORTS[host] ?? Object.entries(target.environment).filter(([name]) => name.endsWith('_PORT')).map(([, v]) => v);
        if (!listens.includes(port)) report(where, `${key} names ${host}:${port}, but ${host} does not listen on ${port}`);
      }
      if (key.endsWith('_DATABASE_URL')) {
        if (postgres?.environment[key] !== value) report(where, `${key} differs from the one the PostgreSQL init script creates`);
        const migrate = services.find((candidate) => candidate.oneShot && candidate.app === service.app && candidate.environment[key] !== undefined);
        if (!migrate) report(where, `no one-shot migration service of ${service.app} gets ${key}`);
        else {
          if (migrate.environment[key] !== value) report(where, `${migrate.name} migrates another database (${key})`);
          if (!service.dependsOn.includes(migrate.name)) report(where, `does not wait for ${migrate.name}`);
        }
      }
      if (keys && service.mounts.some((mount) => keys.mounts.some((keyMount) => keyMount.local === mount.local)) && !service.dependsOn.includes('keys')) {
        report(where, 'mounts the JWT key volume but does not wait for keys');
      }
    }
  }
  say(`docker-compose.yml: ${apps.length} app services checked against their config schemas`);
}

// ------------------------------------------------------------------ k8s
async function checkKubernetes(overlay, services) {
  const where = `k8s/overlays/${overlay}`;
  const objects = await renderKustomization(join(ROOT, 'k8s', 'overlays', overlay));
  const configMaps = new Map(objects.filter((o) => o.kind === 'ConfigMap').map((o) => [o.metadata.name, o.data ?? {}]));
  const secrets = new Map(
    objects
      .filter((o) => o.kind === 'Secret')
      .map((o) => [o.metadata.name, { ...Object.fromEntries(Object.entries(o.data ?? {}).map(([k, v]) => [k, Buffer.from(String(v).replace(/\s+/g, ''), 'base64').toString('utf8')])), ...o.stringData }]),
  );
  if (overlay === 'production') {
    for (const file of ['user', 'order', 'inventory', 'payment', 'shipping', 'recommendation']) {
      secrets.set(`${file}-secrets`, readEnvFile(join(ROOT, 'k8s', 'secrets', `${file}-secrets.example.env`)));
    }
  }
  // jwt-keys is created at run time (dev Job, production secret store): the keys `keys` generated stand in for it.
  const keysDir = join(WORK, 'volumes', 'jwt-keys');
  secrets.set('jwt-keys', {
    'private.pem': readFileSync(join(keysDir, 'jwt-ed25519.private.pem'), 'utf8'),
    'public.pem': readFileSync(join(keysDir, 'jwt-ed25519.public.pem'), 'utf8'),
  });
  const servicePorts = new Map(objects.filter((o) => o.kind === 'Service').map((o) => [o.metadata.name, o.spec.ports.map((p) => String(p.port))]));
  const deployments = objects.filter((o) => o.kind === 'Deployment' && o.spec.template.metadata.labels?.['app.kubernetes.io/component'] === 'app');
  for (const deployment of deployments) {
    const name = `${where} Deployment/${deployment.metadata.name}`;
    const spec = deployment.spec.template.spec;
    const container = spec.containers[0];
    const app = /(?:^|\/)shop\/([a-z-]+)(?::|$)/.exec(container.image)?.[1];
    if (!app) {
      report(name, `image ${container.image} is not one of the shop's`);
      continue;
    }
    const entry = container.command?.find((part) => part.endsWith('.js')) ?? `${appDir(app)}/dist/main.js`;
    const twin = services.find((service) => service.app === app && !service.oneShot && service.command?.includes(entry));
    const env = containerEnvironment(name, container, spec, configMaps, secrets);
    checkUnknown(name, app, env);
    const config = loadsWith(name, app, env);
    if (!twin) report(name, `runs ${entry}, which no compose service runs`);
    else {
      const missing = Object.keys(twin.environment).filter((key) => env[key] === undefined);
      const extra = Object.keys(env).filter((key) => twin.environment[key] === undefined);
      if (missing.length || extra.length) notes.push(`${name}: differs from compose's ${twin.name} (${[...missing.map((k) => `-${k}`), ...extra.map((k) => `+${k}`)].join(' ')})`);
    }
    const portVariable = twin?.portVariable ?? `${app.toUpperCase()}_HTTP_PORT`;
    const httpPort = config ? Number(config[portVariable]) : undefined;
    const portOf = (probePort) => (typeof probePort === 'number' ? probePort : container.ports?.find((p) => p.name === probePort)?.containerPort);
    for (const [probe, path] of [['readinessProbe', '/health/ready'], ['livenessProbe', '/health']]) {
      const get = container[probe]?.httpGet;
      if (get?.path !== path) report(name, `${probe} is not GET ${path}`);
      else if (httpPort !== undefined && portOf(get.port) !== httpPort) report(name, `${probe} probes port ${portOf(get.port)}, the app serves HTTP on ${httpPort} (${portVariable})`);
    }
    const grpcPort = container.ports?.find((p) => p.name === 'grpc')?.containerPort;
    const grpcVariable = `${app.toUpperCase()}_GRPC_PORT`;
    if (config && config[grpcVariable] !== undefined && grpcPort !== Number(config[grpcVariable])) report(name, `container port grpc is ${grpcPort}, the app serves gRPC on ${config[grpcVariable]}`);
    for (const init of spec.initContainers ?? []) {
      const migrated = /services\/([a-z-]+)\/dist\/migrate\.js/.exec((init.command ?? []).join(' '))?.[1];
      if (!migrated) continue;
      const initEnv = containerEnvironment(`${name} initContainer ${init.name}`, init, spec, configMaps, secrets);
      const variable = `${migrated.toUpperCase()}_DATABASE_URL`;
      if (initEnv[variable] === undefined) report(name, `initContainer ${init.name} runs ${migrated}'s migrations without ${variable}`);
      else if (initEnv[variable] !== env[variable]) report(name, `initContainer ${init.name} migrates another database than the app uses`);
    }
    for (const [key, value] of Object.entries(env)) {
      for (const { host, port } of addresses(value)) {
        if (servicePorts.has(host) && !servicePorts.get(host).includes(port)) report(name, `${key} names ${host}:${port}, but Service ${host} has no port ${port}`);
        if (!servicePorts.has(host) && overlay === 'dev') report(name, `${key} names ${host}:${port}, but the overlay renders no Service ${host}`);
      }
    }
  }
  say(`${where}: ${deployments.length} app Deployments checked against their config schemas, probes and ports`);
}

/** A container's environment as the kubelet builds it, with mounted Secret files written locally. */
function containerEnvironment(where, container, spec, configMaps, secrets) {
  const env = {};
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) Object.assign(env, configMaps.get(source.configMapRef.name) ?? report(where, `no ConfigMap ${source.configMapRef.name}`));
    if (source.secretRef) Object.assign(env, secrets.get(source.secretRef.name) ?? report(where, `no Secret ${source.secretRef.name}`));
  }
  for (const variable of container.env ?? []) {
    const from = variable.valueFrom;
    if (!from) env[variable.name] = variable.value ?? '';
    else if (from.configMapKeyRef) env[variable.name] = configMaps.get(from.configMapKeyRef.name)?.[from.configMapKeyRef.key];
    else if (from.secretKeyRef) env[variable.name] = secrets.get(from.secretKeyRef.name)?.[from.secretKeyRef.key];
    if (env[variable.name] === undefined) report(where, `${variable.name} refers to a missing ConfigMap or Secret key`);
  }
  for (const mount of container.volumeMounts ?? []) {
    const volume = (spec.volumes ?? []).find((candidate) => candidate.name === mount.name);
    if (!volume?.secret) continue;
    const data = secrets.get(volume.secret.secretName) ?? {};
    const local = join(WORK, 'k8s-volumes', where.replace(/[^a-z0-9-]+/gi, '_'), mount.name);
    for (const item of volume.secret.items ?? Object.keys(data).map((key) => ({ key, path: key }))) {
      mkdirSync(dirname(join(local, item.path)), { recursive: true });
      writeFileSync(join(local, item.path), data[item.key] ?? '', { mode: 0o600 });
    }
    for (const [key, value] of Object.entries(env)) {
      if (value === mount.mountPath || value?.startsWith(`${mount.mountPath}/`)) env[key] = local + value.slice(mount.mountPath.length);
    }
  }
  return env;
}

// ------------------------------------------------------------------ native run
function runOnce(service, hosts, label, extraEnv = {}) {
  const env = { ...nativeEnvironment(service, hosts), ...extraEnv };
  // Named volumes become local folders; a bind mount of a file (the init script) already exists and is left alone.
  for (const mount of service.mounts) if (!existsSync(mount.local)) mkdirSync(mount.local, { recursive: true });
  const [program, ...rest] = service.command;
  execFileSync(program === 'node' ? process.execPath : program, rest, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'], timeout: 120_000 });
  say(`ran ${label}`);
}

const portFree = (port) =>
  new Promise((resolvePort) => {
    const server = createServer();
    server.once('error', () => resolvePort(false));
    server.listen({ port, host: '0.0.0.0' }, () => server.close(() => resolvePort(true)));
  });

async function request(method, url, { token, body, headers = {} } = {}) {
  const response = await fetch(url, {
    method,
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, json, text };
}

function expectStatus(step, answer, status) {
  if (answer.status !== status) throw new Error(`smoke: ${step} answered ${answer.status}, expected ${status}: ${answer.text.slice(0, 300)}`);
  say(`smoke: ${step} -> ${answer.status}`);
}

async function smoke(base) {
  const docs = await request('GET', `${base}/docs`, { headers: { accept: 'text/html' } });
  if (docs.status >= 400) throw new Error(`smoke: GET /docs answered ${docs.status}`);
  say(`smoke: GET /docs -> ${docs.status}`);
  const email = `parity-${randomUUID()}@example.com`;
  const password = 'parity-check-password';
  expectStatus('POST /api/auth/register', await request('POST', `${base}/api/auth/register`, { body: { email, password, name: 'Parity Check' } }), 201);
  const login = await request('POST', `${base}/api/auth/login`, { body: { email, password } });
  expectStatus('POST /api/auth/login', login, 200);
  const token = login.json.accessToken;
  expectStatus('POST /api/wallet/deposits', await request('POST', `${base}/api/wallet/deposits`, { token, body: { amountCents: 1_000_000 } }), 201);
  const products = await request('GET', `${base}/api/products`, { token });
  expectStatus('GET /api/products', products, 200);
  const product = products.json.find((candidate) => candidate.available > 0 && candidate.priceCents <= 1_000_000);
  if (!product) throw new Error('smoke: no product in stock to order');
  const placed = await request('POST', `${base}/api/orders`, { token, body: { items: [{ productId: product.id, quantity: 1 }] }, headers: { 'idempotency-key': randomUUID() } });
  expectStatus('POST /api/orders', placed, 202);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const order = await request('GET', `${base}/api/orders/${placed.json.id}`, { token });
    if (order.status === 200 && ['CONFIRMED', 'SHIPPED'].includes(order.json.status)) {
      say(`smoke: GET /api/orders/${placed.json.id} -> ${order.json.status}`);
      return;
    }
    if (order.status === 200 && order.json.status === 'CANCELLED') throw new Error(`smoke: the order was cancelled (${order.json.reason})`);
    if (Date.now() > deadline) throw new Error(`smoke: the order is still ${order.json?.status ?? order.status} after 60 s`);
    await new Promise((done) => setTimeout(done, 500));
  }
}

async function runNatively(services) {
  const hosts = services.map((service) => service.name);
  const apps = services.filter((service) => service.app && !service.oneShot);
  const instances = apps.flatMap((service) =>
    Array.from({ length: service.replicas }, (_, replica) => {
      const env = nativeEnvironment(service, hosts);
      // Replicas share the host here, so each gets the next port (compose gives each container its own network).
      if (replica > 0 && service.portVariable) env[service.portVariable] = String(Number(env[service.portVariable]) + replica);
      return { label: service.replicas > 1 ? `${service.name}-${replica + 1}` : service.name, service, env, port: Number(env[service.portVariable]) };
    }),
  );
  const ports = instances.flatMap(({ env }) => Object.entries(env).filter(([key]) => /_(HTTP|GRPC)_PORT$/.test(key)).map(([, value]) => Number(value)));
  const busy = [];
  for (const port of [...new Set(ports)]) if (!(await portFree(port))) busy.push(port);
  if (busy.length) {
    throw new Error(`port(s) ${busy.join(', ')} are in use (is \`npm run start:local\` running? stop it with \`npm run stop:local\`); the parity run needs the standard ports`);
  }

  say('making sure PostgreSQL, RabbitMQ and Kafka answer (scripts/ensure-infra.sh)');
  execFileSync('bash', [join(ROOT, 'scripts', 'ensure-infra.sh')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'], timeout: 600_000 });
  const admin = new URL(process.env.POSTGRES_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const postgres = services.find((service) => service.name === 'postgres');
  runOnce({ ...postgres, command: ['bash', join(ROOT, 'deploy', 'postgres', 'init-databases.sh')] }, hosts, 'the PostgreSQL init script of the postgres service', {
    PATH: process.env.PATH,
    PGHOST: admin.hostname,
    PGPORT: admin.port || '5432',
    PGUSER: decodeURIComponent(admin.username || 'postgres'),
    ...(admin.password ? { PGPASSWORD: decodeURIComponent(admin.password) } : {}),
    POSTGRES_USER: decodeURIComponent(admin.username || 'postgres'),
    POSTGRES_DB: admin.pathname.replace(/^\//, '') || 'postgres',
  });
  for (const service of services.filter((candidate) => candidate.oneShot && candidate.app)) runOnce(service, hosts, service.name);

  mkdirSync(join(WORK, 'logs'), { recursive: true });
  const children = [];
  const stopAll = async () => {
    for (const { child } of children) if (child.exitCode === null) child.kill('SIGTERM');
    const deadline = Date.now() + 15_000;
    while (children.some(({ child }) => child.exitCode === null && child.signalCode === null) && Date.now() < deadline) await new Promise((done) => setTimeout(done, 200));
    for (const { child } of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    say(`stopped ${children.length} processes`);
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  try {
    for (const instance of instances) {
      const log = createWriteStream(join(WORK, 'logs', `${instance.label}.log`));
      const [, entry] = instance.service.command;
      const child = spawn(process.execPath, [entry], { cwd: ROOT, env: instance.env, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.pipe(log);
      child.stderr.pipe(log);
      children.push({ ...instance, child });
      say(`started ${instance.label} (node ${entry}, pid ${child.pid}, port ${instance.port})`);
    }
    const deadline = Date.now() + 120_000;
    for (const { label, port, child } of children) {
      for (;;) {
        if (child.exitCode !== null) throw new Error(`${label} exited with ${child.exitCode} during start-up (log: .local/parity/logs/${label}.log)`);
        const ready = await fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.status, () => 0);
        if (ready === 200) break;
        if (Date.now() > deadline) throw new Error(`${label} was not ready on port ${port} within 120 s (log: .local/parity/logs/${label}.log)`);
        await new Promise((done) => setTimeout(done, 500));
      }
      say(`${label} ready on http://127.0.0.1:${port}/health/ready`);
    }
    const gateway = children.find(({ service }) => service.app === 'gateway');
    await smoke(`http://127.0.0.1:${gateway.port}`);
  } finally {
    await stopAll();
  }
}

// ------------------------------------------------------------------ main
const smokeOnly = process.argv.find((arg) => arg === '--smoke-only' || arg.startsWith('--smoke-only='));
try {
  if (smokeOnly) {
    await smoke(smokeOnly.includes('=') ? smokeOnly.slice('--smoke-only='.length) : 'http://127.0.0.1:8080');
    say('smoke passed');
    process.exit(0);
  }
  if (!args.has('--no-build')) build();
  rmSync(join(WORK, 'volumes'), { recursive: true, force: true });
  rmSync(join(WORK, 'k8s-volumes'), { recursive: true, force: true });
  const services = composeServices(await loadCompose(COMPOSE_FILE));
  checkCompose(services, readEnvFile(join(ROOT, '.env.example')));
  for (const overlay of OVERLAYS) await checkKubernetes(overlay, services);
  for (const note of notes) say(`note: ${note}`);
  if (problems.length) {
    console.error(problems.map((problem) => `  - ${problem}`).join('\n'));
    throw new Error(`parity check failed: ${problems.length} problem(s)`);
  }
  say('static parity: compose and every k8s overlay give each app exactly what its config needs');
  if (!STATIC_ONLY) {
    await runNatively(services);
    say('run parity: every app started natively with compose\'s environment, and the smoke through the gateway passed');
  }
} catch (error) {
  console.error(`[packaging] ${error.message}`);
  process.exit(1);
}
