import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

// Runs the built apps (scripts/test.sh builds them first) with one required variable removed at a time.
const root = resolve(__dirname, '..');
const apps: Array<{ app: string; entry: string; required: string[] }> = [
  { app: 'user', entry: 'services/user/dist/main.js', required: ['USER_DATABASE_URL', 'KAFKA_BROKERS'] },
  { app: 'order', entry: 'services/order/dist/main.js', required: ['ORDER_DATABASE_URL', 'KAFKA_BROKERS', 'INVENTORY_GRPC_ADDRESS', 'PAYMENT_GRPC_ADDRESS'] },
  { app: 'inventory', entry: 'services/inventory/dist/main.js', required: ['INVENTORY_DATABASE_URL', 'KAFKA_BROKERS'] },
  { app: 'payment', entry: 'services/payment/dist/main.js', required: ['PAYMENT_DATABASE_URL', 'KAFKA_BROKERS'] },
  { app: 'shipping', entry: 'services/shipping/dist/main.js', required: ['SHIPPING_DATABASE_URL', 'KAFKA_BROKERS', 'RABBITMQ_URL'] },
  { app: 'recommendation', entry: 'services/recommendation/dist/main.js', required: ['RECOMMENDATION_DATABASE_URL', 'KAFKA_BROKERS'] },
  { app: 'gateway', entry: 'gateway/dist/main.js', required: ['USER_HTTP_URL', 'KAFKA_BROKERS'] },
];

const completeEnv: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  KAFKA_BROKERS: '127.0.0.1:1',
  RABBITMQ_URL: 'amqp://guest:guest@127.0.0.1:1',
  USER_HTTP_URL: 'http://127.0.0.1:1',
  ORDER_HTTP_URL: 'http://127.0.0.1:1',
  INVENTORY_HTTP_URL: 'http://127.0.0.1:1',
  USER_GRPC_ADDRESS: '127.0.0.1:1',
  ORDER_GRPC_ADDRESS: '127.0.0.1:1',
  INVENTORY_GRPC_ADDRESS: '127.0.0.1:1',
  PAYMENT_GRPC_ADDRESS: '127.0.0.1:1',
  RECOMMENDATION_GRPC_ADDRESS: '127.0.0.1:1',
  USER_DATABASE_URL: 'postgres://x@127.0.0.1:1/x',
  ORDER_DATABASE_URL: 'postgres://x@127.0.0.1:1/x',
  INVENTORY_DATABASE_URL: 'postgres://x@127.0.0.1:1/x',
  PAYMENT_DATABASE_URL: 'postgres://x@127.0.0.1:1/x',
  SHIPPING_DATABASE_URL: 'postgres://x@127.0.0.1:1/x',
  RECOMMENDATION_DATABASE_URL: 'postgres://x@127.0.0.1:1/x',
};

function run(entry: string, env: NodeJS.ProcessEnv): { status: number | null; stderr: string } {
  const result = spawnSync(process.execPath, [resolve(root, entry)], { env, encoding: 'utf8', timeout: 20_000 });
  return { status: result.status, stderr: result.stderr };
}

describe('configuration validated at start-up', () => {
  const cases = apps.flatMap(({ app, entry, required }) => required.map((variable) => [app, variable, entry] as const));

  it.each(cases)('%s exits non-zero naming %s when it is missing', (_app, variable, entry) => {
    const env = { ...completeEnv };
    delete env[variable];
    const { status, stderr } = run(entry, env);
    expect(status).not.toBe(0);
    expect(stderr).toContain(`${variable} is required`);
  });

  it('names a malformed variable and says what is wrong with it', () => {
    const { status, stderr } = run('services/order/dist/main.js', { ...completeEnv, ORDER_HTTP_PORT: 'eighty', KAFKA_BROKERS: 'not a broker list' });
    expect(status).not.toBe(0);
    expect(stderr).toContain('ORDER_HTTP_PORT is invalid');
    expect(stderr).toContain('KAFKA_BROKERS is invalid');
  });
});
