import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { api, newCustomer, orderUntil, placeOrder, products, ROOT } from './support/system';

// Pattern 8: the read model answers the queries, and replaying the topic from the beginning rebuilds the same answers.
describe('the order read model (CQRS)', () => {
  it('answers GET /api/orders with items, totals and the status history, newest first', async () => {
    const customer = await newCustomer(1_000_000);
    const catalog = await products(customer.token);
    const first = await placeOrder(customer, [{ productId: catalog[10].id, quantity: 1 }]);
    const second = await placeOrder(customer, [{ productId: catalog[11].id, quantity: 3 }]);
    await orderUntil(customer, first.body.id, ['SHIPPED']);
    await orderUntil(customer, second.body.id, ['SHIPPED']);
    const list = await api<Array<{ id: string; status: string; totalCents: number; history: Array<{ status: string }>; items: Array<{ name: string }> }>>(
      'GET',
      '/api/orders',
      { token: customer.token },
    );
    expect(list.status).toBe(200);
    expect(list.body.map((o) => o.id)).toEqual([second.body.id, first.body.id]);
    expect(list.body[0]).toMatchObject({ status: 'SHIPPED', totalCents: 3 * catalog[11].priceCents });
    expect(list.body[0].history.map((h) => h.status)).toEqual(['PENDING', 'CONFIRMED', 'SHIPPED']);
    expect(list.body[0].items[0].name).toBe(catalog[11].name);
  });

  it('rebuilds from orders.events.v1 into a fresh read model equal to the live one', () => {
    const output = execFileSync(process.execPath, [resolve(ROOT, 'services/order/dist/rebuild-read-model.js')], {
      cwd: ROOT,
      env: { ...process.env, ...envExample(), LOG_LEVEL: 'warn' },
      encoding: 'utf8',
      timeout: 120_000,
    });
    const summary = JSON.parse(output.trim().split('\n').pop() ?? '{}') as { events: number; rebuilt: number; live: number; differing: number };
    expect(summary.events).toBeGreaterThan(0);
    expect(summary.rebuilt).toBe(summary.live);
    expect(summary.differing).toBe(0);
  });
});

function envExample(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(resolve(ROOT, '.env.example'), 'utf8').split('\n')) {
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (match && process.env[match[1]] === undefined) env[match[1]] = match[2];
  }
  return env;
}
