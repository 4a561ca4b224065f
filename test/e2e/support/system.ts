/**
 * Helpers for end-to-end specs: they drive the running system (`npm run start:local`, or `scripts/test.sh`, which
 * starts it) only through the gateway's public API, and stop, kill and restart app processes to inject failures.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parsePrometheusText } from './observability';

export const ROOT = resolve(__dirname, '../../..');
export const GATEWAY = process.env.E2E_GATEWAY_URL ?? 'http://127.0.0.1:8080';

export interface ApiResponse<T = unknown> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

export async function api<T = unknown>(
  method: string,
  path: string,
  options: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string>; base?: string } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  } else if (body !== undefined) headers['content-type'] ??= 'application/json';
  const response = await fetch(`${options.base ?? GATEWAY}${path}`, { method, headers, body, signal: AbortSignal.timeout(15_000) });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  return { status: response.status, body: parsed as T, headers: response.headers };
}

export interface Customer {
  readonly id: string;
  readonly email: string;
  readonly token: string;
}

/** Registers a fresh customer, logs in, and (optionally) deposits into the wallet. */
export async function newCustomer(depositCents = 0): Promise<Customer> {
  const email = `e2e-${randomUUID()}@example.com`;
  const registered = await api<{ id: string }>('POST', '/api/auth/register', { body: { email, password: 'correct horse battery', name: 'E2E Customer' } });
  if (registered.status !== 201) throw new Error(`register failed: ${registered.status} ${JSON.stringify(registered.body)}`);
  const login = await api<{ accessToken: string }>('POST', '/api/auth/login', { body: { email, password: 'correct horse battery' } });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${JSON.stringify(login.body)}`);
  const customer = { id: registered.body.id, email, token: login.body.accessToken };
  if (depositCents > 0) await deposit(customer, depositCents);
  return customer;
}

export async function deposit(customer: Customer, amountCents: number): Promise<number> {
  // The wallet is opened from user.registered.v1; a deposit right after registration may arrive first, and opens it itself.
  const response = await api<{ balanceCents: number }>('POST', '/api/wallet/deposits', { token: customer.token, body: { amountCents } });
  if (response.status !== 201) throw new Error(`deposit failed: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.balanceCents;
}

export async function balance(customer: Customer): Promise<number> {
  const response = await api<{ balanceCents: number }>('GET', '/api/wallet', { token: customer.token });
  if (response.status !== 200) throw new Error(`balance failed: ${response.status}`);
  return response.body.balanceCents;
}

export interface Product {
  readonly id: string;
  readonly sku: string;
  readonly name: string;
  readonly priceCents: number;
  readonly available: number;
}

export async function products(token: string): Promise<Product[]> {
  const response = await api<Product[]>('GET', '/api/products', { token });
  if (response.status !== 200) throw new Error(`products failed: ${response.status}`);
  return response.body;
}

export async function product(token: string, id: string): Promise<Product> {
  const response = await api<Product>('GET', `/api/products/${id}`, { token });
  if (response.status !== 200) throw new Error(`product failed: ${response.status}`);
  return response.body;
}

export interface OrderView {
  readonly id: string;
  readonly status: 'PENDING' | 'CONFIRMED' | 'SHIPPED' | 'CANCELLED';
  readonly reason?: string;
  readonly totalCents: number;
  readonly sagaStyle: string;
  readonly items: Array<{ productId: string; name: string | null; quantity: number; unitPriceCents: number }>;
  readonly history: Array<{ status: string; at: string }>;
  readonly trackingNumber?: string;
}

export async function placeOrder(
  customer: Customer,
  items: Array<{ productId: string; quantity: number }>,
  saga?: string,
  idempotencyKey?: string,
): Promise<ApiResponse<{ id: string; status: string }>> {
  return api('POST', '/api/orders', {
    token: customer.token,
    body: saga ? { items, saga } : { items },
    headers: idempotencyKey ? { 'idempotency-key': idempotencyKey } : {},
  });
}

/** Polls the read model until the order reaches one of `statuses`. */
export async function orderUntil(customer: Customer, orderId: string, statuses: readonly string[], timeoutMs = 30_000): Promise<OrderView> {
  const deadline = Date.now() + timeoutMs;
  let last: ApiResponse<OrderView> | undefined;
  while (Date.now() < deadline) {
    last = await api<OrderView>('GET', `/api/orders/${orderId}`, { token: customer.token });
    if (last.status === 200 && statuses.includes(last.body.status)) return last.body;
    await sleep(150);
  }
  throw new Error(`order ${orderId} did not reach ${statuses.join('/')} within ${timeoutMs} ms; last answer ${last?.status} ${JSON.stringify(last?.body)}`);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until `probe` returns a value (not undefined) or fails naming `what`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await sleep(200);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

// ---- process control: the apps started by scripts/start-local.sh ----

const LOCAL = resolve(ROOT, '.local');
const ENTRY: Record<string, string> = {
  gateway: 'gateway/dist/main.js',
  user: 'services/user/dist/main.js',
  order: 'services/order/dist/main.js',
  inventory: 'services/inventory/dist/main.js',
  payment: 'services/payment/dist/main.js',
  shipping: 'services/shipping/dist/main.js',
  recommendation: 'services/recommendation/dist/main.js',
};

/** The apps' environment as `npm run start:local` gives it: .env, else .env.example. */
export function envFile(): Record<string, string> {
  const file = existsSync(resolve(ROOT, '.env')) ? resolve(ROOT, '.env') : resolve(ROOT, '.env.example');
  const env: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (match) env[match[1]] = match[2];
  }
  return env;
}

const pidFile = (app: string): string => resolve(LOCAL, 'pids', `${app}.pid`);

export function appPid(app: string): number | undefined {
  try {
    const pid = Number(readFileSync(pidFile(app), 'utf8').trim());
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

export function httpPort(app: string): number {
  const env = { ...envFile(), ...process.env };
  return Number(env[`${app.toUpperCase()}_HTTP_PORT`]);
}

export async function ready(app: string): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${httpPort(app)}/health/ready`, { signal: AbortSignal.timeout(2_000) });
    return response.status === 200;
  } catch {
    return false;
  }
}

/** Stops an app: SIGTERM (graceful) or SIGKILL (a crash). Resolves once the process is gone. */
export async function stopApp(app: string, signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
  const pid = appPid(app);
  if (!pid) return;
  process.kill(pid, signal);
  await until(`${app} to exit`, async () => (appPid(app) === undefined ? true : undefined), 15_000);
}

/** Starts an app the way start-local does (same environment, same log and pid files) and waits until it is ready. */
export async function startApp(app: string, overrides: Record<string, string> = {}): Promise<void> {
  if (appPid(app)) return;
  const log = openSync(resolve(LOCAL, 'logs', `${app}.log`), 'a');
  const child = spawn(process.execPath, [resolve(ROOT, ENTRY[app])], {
    cwd: ROOT,
    env: { ...envFile(), ...process.env, ...overrides },
    detached: true,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  child.unref();
  writeFileSync(pidFile(app), String(child.pid));
  await until(`${app} to be ready`, async () => ((await ready(app)) ? true : undefined), 60_000);
}

// ---- fault switches and metrics of the running apps ----

export interface ChaosSettings {
  readonly latencyMs?: number;
  readonly errorRate?: number;
  readonly hang?: boolean;
  readonly replyDelayMs?: number;
  readonly methods?: readonly string[];
}

/** Sets an app's fault switches (payment and inventory, started with CHAOS_ENABLED=true); `{}` switches them off. */
export async function setChaos(app: 'payment' | 'inventory', settings: ChaosSettings): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${httpPort(app)}/admin/chaos`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(settings),
    signal: AbortSignal.timeout(5_000),
  });
  if (response.status !== 200) throw new Error(`${app} fault switches: ${response.status} ${await response.text()} (is CHAOS_ENABLED=true?)`);
}

/** The samples of one metric in an app's /metrics, with their labels. */
export async function metricSamples(app: string, name: string): Promise<Array<{ labels: Record<string, string>; value: number }>> {
  const text = await fetch(`http://127.0.0.1:${httpPort(app)}/metrics`, { signal: AbortSignal.timeout(5_000) }).then((r) => r.text());
  return parsePrometheusText(text).samples.filter((sample) => sample.name === name);
}
