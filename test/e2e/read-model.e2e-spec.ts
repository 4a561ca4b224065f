import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { Client } from 'pg';
import { type OrderViewRow, toOrderView } from '../../services/order/src/application/queries/order-view';
import { type RebuildSummary } from '../../services/order/src/infrastructure/projections/read-model-rebuild';
import { api, type Customer, envFile, newCustomer, type OrderView, orderUntil, placeOrder, products, ROOT } from './support/system';

// Pattern 8: the read model, built from events, answers the queries; replaying the topic from the beginning into a
// fresh read model gives the same answers.
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

  it('rebuilds from orders.events.v1 into a fresh read model equal to the live one', async () => {
    const database = new Client({ connectionString: { ...envFile(), ...process.env }.ORDER_DATABASE_URL });
    await database.connect();
    try {
      // Sales per product are sums, so they are compared as the change both read models saw across this spec's
      // orders: that holds whatever the database held before the topic's log began (a freshly formatted broker).
      rebuild();
      const salesBefore = { rebuilt: await sales(database, 'read_model_rebuild'), live: await sales(database, 'public') };

      // Orders of every outcome: shipped in both saga styles (two lines, tracking number), declined, out of stock.
      const rich = await newCustomer(1_000_000);
      const catalog = (await products(rich.token)).filter((p) => p.available >= 10 && p.priceCents <= 20_000);
      const poor = await newCustomer(catalog[2].priceCents - 1);
      // The product with the fewest units left (below 100, the most one line may order), none of the three above.
      const short = (await products(rich.token))
        .filter((p) => p.available < 100 && !catalog.slice(0, 3).some((c) => c.id === p.id))
        .sort((a, b) => a.available - b.available)[0];
      const orders: Array<{ customer: Customer; id: string; expected: Partial<OrderView> }> = [];
      const place = async (customer: Customer, items: Array<{ productId: string; quantity: number }>, saga: string, expected: Partial<OrderView>) => {
        const placed = await placeOrder(customer, items, saga);
        expect(placed.status).toBe(202);
        orders.push({ customer, id: placed.body.id, expected });
      };
      await place(rich, [{ productId: catalog[0].id, quantity: 2 }, { productId: catalog[1].id, quantity: 1 }], 'orchestration', { status: 'SHIPPED' });
      await place(rich, [{ productId: catalog[1].id, quantity: 1 }], 'choreography', { status: 'SHIPPED' });
      await place(poor, [{ productId: catalog[2].id, quantity: 1 }], 'orchestration', { status: 'CANCELLED', reason: 'PAYMENT_DECLINED' });
      await place(rich, [{ productId: short.id, quantity: short.available + 1 }], 'choreography', { status: 'CANCELLED', reason: 'OUT_OF_STOCK' });
      for (const order of orders) {
        expect(await orderUntil(order.customer, order.id, ['SHIPPED', 'CANCELLED'], 60_000)).toMatchObject(order.expected);
      }

      const summary = rebuild();
      // The replay read every partition from its first offset to the end the live consumer group had also reached.
      expect(summary).toMatchObject({ settled: true, liveBehind: [], unread: [] });
      expect(summary.events).toBeGreaterThan(0);
      // Every order the topic holds from its placement on is in both read models, identical in every column; orders
      // older than the topic's log (a database that outlived its broker) are the only ones left out.
      expect(summary.rebuilt).toBe(summary.live - summary.olderThanLog);
      expect(summary.differing).toBe(0);
      // Sales tables are compared whole when the live one counted nothing the topic no longer holds.
      expect(summary.salesDiffering).toBe(summary.confirmationsOlderThanLog === 0 ? 0 : null);
      const salesAfter = { rebuilt: await sales(database, 'read_model_rebuild'), live: await sales(database, 'public') };
      const soldHere = change(salesBefore.live, salesAfter.live);
      expect(change(salesBefore.rebuilt, salesAfter.rebuilt)).toEqual(soldHere);
      expect(soldHere[catalog[0].id]).toMatchObject({ units: 2, revenueCents: 2 * catalog[0].priceCents, orders: 1 });
      expect(soldHere[catalog[1].id]).toMatchObject({ units: 2, revenueCents: 2 * catalog[1].priceCents, orders: 2 });

      // And the rebuilt rows give the very answers the live read model gives through the gateway.
      const { rows } = await database.query<OrderViewRow>(
        `SELECT id, status, items, total_cents, reason, saga_style, history, tracking_number, created_at
           FROM read_model_rebuild.order_views WHERE id = ANY($1::uuid[])`,
        [orders.map((o) => o.id)],
      );
      expect(rows).toHaveLength(orders.length);
      for (const order of orders) {
        const live = await api<OrderView>('GET', `/api/orders/${order.id}`, { token: order.customer.token });
        expect(live.status).toBe(200);
        expect(toOrderView(rows.find((row) => row.id === order.id) as OrderViewRow)).toEqual(live.body);
      }
      const shipped = (await api<OrderView[]>('GET', '/api/orders', { token: rich.token })).body.filter((o) => o.status === 'SHIPPED');
      expect(shipped.map((o) => o.items.map((i) => i.name))).toEqual([[catalog[1].name], [catalog[0].name, catalog[1].name]]);
      expect(shipped.every((o) => typeof o.trackingNumber === 'string')).toBe(true);
    } finally {
      await database.end();
    }
  }, 600_000);
});

/** Runs `npm run rebuild:order-read-model` (the built script) and returns the summary it prints last. */
function rebuild(): RebuildSummary {
  const output = execFileSync(process.execPath, [resolve(ROOT, 'services/order/dist/rebuild-read-model.js')], {
    cwd: ROOT,
    env: { ...envFile(), ...process.env, LOG_LEVEL: 'warn' },
    encoding: 'utf8',
    timeout: 240_000,
  });
  return JSON.parse(output.trim().split('\n').pop() ?? '{}') as RebuildSummary;
}

interface Sold {
  readonly units: number;
  readonly revenueCents: number;
  readonly orders: number;
}

async function sales(database: Client, schema: string): Promise<Record<string, Sold>> {
  const { rows } = await database.query<{ product_id: string; units: string; revenue_cents: string; orders: string }>(
    `SELECT product_id, units, revenue_cents, orders FROM ${schema}.sales_by_product`,
  );
  return Object.fromEntries(rows.map((r) => [r.product_id, { units: Number(r.units), revenueCents: Number(r.revenue_cents), orders: Number(r.orders) }]));
}

/** What was added per product between two snapshots (products that did not change are left out). */
function change(before: Record<string, Sold>, after: Record<string, Sold>): Record<string, Sold> {
  const zero: Sold = { units: 0, revenueCents: 0, orders: 0 };
  return Object.fromEntries(
    Object.entries(after)
      .map(([id, now]): [string, Sold] => {
        const was = before[id] ?? zero;
        return [id, { units: now.units - was.units, revenueCents: now.revenueCents - was.revenueCents, orders: now.orders - was.orders }];
      })
      .filter(([, d]) => d.units !== 0 || d.revenueCents !== 0 || d.orders !== 0),
  );
}
