import { again, ReadModelFixture, specOrder } from './read-model-fixture';
import { rebuildReadModel } from '../src/infrastructure/projections/read-model-rebuild';

/**
 * The live read model projection (order-read-model.projection.ts) through its consumer group on real Kafka and
 * PostgreSQL, with events out of their usual order: a status event whose order the read model does not know yet (its
 * placement dead-lettered, or being replayed), and status events that come again or late. A status moves only forward
 * (PENDING → CONFIRMED → SHIPPED, PENDING → CANCELLED), and the rebuild, through the same projection, agrees.
 */
describe('the order read model projection with events out of their usual order', () => {
  let f: ReadModelFixture;

  beforeAll(async () => {
    f = await ReadModelFixture.open('read_model_projection');
    await f.startLive();
  });

  afterAll(async () => {
    await f?.close();
  });

  const deferred = async (orderId: string): Promise<number> =>
    (await f.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM deferred_order_events WHERE order_id = $1', [orderId])).rows[0].n;

  it('keeps a status event for an order it has no row for, counts no sale, and applies it once order.placed.v1 arrives', async () => {
    const order = specOrder();
    await f.publish(order.confirmed);
    await f.handled(order.confirmed);
    expect(await f.view(order.id)).toBeUndefined();
    expect(await f.sales(order.line.productId)).toEqual([]);
    expect(await deferred(order.id)).toBe(1);

    await f.publish(order.placed);
    await f.handled(order.placed);
    expect(await f.view(order.id)).toMatchObject({ status: 'CONFIRMED', statuses: ['PENDING', 'CONFIRMED'] });
    expect(await f.sales(order.line.productId)).toEqual([{ units: 2, revenueCents: 2_500, orders: 1 }]);
    expect(await deferred(order.id)).toBe(0);
  });

  it('moves a status only forward: a confirmation or a cancellation arriving after the shipment changes nothing', async () => {
    const order = specOrder();
    const late = [again(order.confirmed), order.cancelled];
    await f.publish(order.placed, order.confirmed, order.shipped, ...late);
    await f.handled(order.placed, order.confirmed, order.shipped, ...late);
    expect(await f.view(order.id)).toEqual({ status: 'SHIPPED', statuses: ['PENDING', 'CONFIRMED', 'SHIPPED'], reason: null, tracking_number: 'SHP-SPEC-0000-0003' });
    expect(await f.sales(order.line.productId)).toEqual([{ units: 2, revenueCents: 2_500, orders: 1 }]);
    expect(await deferred(order.id)).toBe(0);
  });

  it('leaves a confirmed order confirmed when a cancellation comes after the confirmation', async () => {
    const order = specOrder();
    await f.publish(order.placed, order.confirmed, order.cancelled);
    await f.handled(order.placed, order.confirmed, order.cancelled);
    expect(await f.view(order.id)).toMatchObject({ status: 'CONFIRMED', statuses: ['PENDING', 'CONFIRMED'], reason: null });
  });

  it('holds a shipment that arrives before the confirmation until the confirmation comes, then applies both in order', async () => {
    const order = specOrder();
    await f.publish(order.placed, order.shipped);
    await f.handled(order.placed, order.shipped);
    expect(await f.view(order.id)).toMatchObject({ status: 'PENDING', statuses: ['PENDING'] });
    expect(await deferred(order.id)).toBe(1);

    await f.publish(order.confirmed);
    await f.handled(order.confirmed);
    expect(await f.view(order.id)).toMatchObject({ status: 'SHIPPED', statuses: ['PENDING', 'CONFIRMED', 'SHIPPED'], tracking_number: 'SHP-SPEC-0000-0003' });
    expect(await f.sales(order.line.productId)).toEqual([{ units: 2, revenueCents: 2_500, orders: 1 }]);
    expect(await deferred(order.id)).toBe(0);
  });

  it('rebuilds from the same events a read model equal to the live one, the kept status events included', async () => {
    const orphan = specOrder();
    await f.publish(orphan.cancelled);
    await f.handled(orphan.cancelled);
    const summary = await rebuildReadModel(f.rebuildOptions());
    expect(summary).toMatchObject({ settled: true, liveBehind: [], unread: [], skipped: 0, olderThanLog: 0, differing: 0, salesDiffering: 0 });
    expect(summary.rebuilt).toBe(summary.live);
    expect(summary.rebuilt).toBe(4);
    const kept = `SELECT message_id FROM %s.deferred_order_events ORDER BY message_id`;
    const [live, rebuilt] = [await f.sql.query(kept.replace('%s', 'public')), await f.sql.query(kept.replace('%s', 'read_model_rebuild'))];
    expect(rebuilt.rows).toEqual(live.rows);
    expect(live.rows).toEqual([{ message_id: orphan.cancelled.id }]);
  });
});
