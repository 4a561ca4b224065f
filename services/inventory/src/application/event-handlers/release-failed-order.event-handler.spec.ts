import { InMemoryInventory } from '../../../test/in-memory-inventory';
import { commitStock } from '../commands/commit-stock.command';
import { reserveStock } from '../commands/reserve-stock.command';
import { releaseFailedOrder } from './release-failed-order.event-handler';

const ORDER = '0dde0000-0000-4000-8000-000000000001';
const BEANS = 'b210ed78-90a0-4c9a-b381-ffbd333bd36c';
const CAUSE = { correlationId: ORDER, causationId: 'ca000000-0000-4000-8000-000000000001' };

describe('releasing the reservation of a failed order', () => {
  it('gives the held units back once and announces inventory.released once', async () => {
    const inventory = new InMemoryInventory();
    inventory.stock.set(BEANS, 5);
    await reserveStock(inventory.transaction(), { orderId: ORDER, items: [{ productId: BEANS, quantity: 3 }] });

    expect(await releaseFailedOrder(inventory.transaction(), ORDER, CAUSE)).toEqual({ orderId: ORDER, status: 'RELEASED', stockReturned: true });
    expect(await releaseFailedOrder(inventory.transaction(), ORDER, CAUSE)).toEqual({ orderId: ORDER, status: 'RELEASED', stockReturned: false });

    expect(inventory.stock.get(BEANS)).toBe(5);
    expect(inventory.published).toEqual([{ type: 'released', data: { orderId: ORDER }, cause: CAUSE }]);
  });

  it('records a tombstone for an order never reserved and announces nothing, since no stock moved', async () => {
    const inventory = new InMemoryInventory();

    expect(await releaseFailedOrder(inventory.transaction(), ORDER, CAUSE)).toEqual({ orderId: ORDER, status: 'RELEASED', stockReturned: false });

    expect(inventory.reservations.get(ORDER)?.outcome.status).toBe('RELEASED');
    expect(inventory.published).toEqual([]);
  });

  it('announces nothing for a rejected reservation, which held no stock', async () => {
    const inventory = new InMemoryInventory();
    inventory.stock.set(BEANS, 1);
    await reserveStock(inventory.transaction(), { orderId: ORDER, items: [{ productId: BEANS, quantity: 3 }] });

    expect((await releaseFailedOrder(inventory.transaction(), ORDER, CAUSE)).status).toBe('REJECTED');
    expect(inventory.published).toEqual([]);
  });

  it('refuses to release a committed reservation: the units are sold', async () => {
    const inventory = new InMemoryInventory();
    inventory.stock.set(BEANS, 5);
    await reserveStock(inventory.transaction(), { orderId: ORDER, items: [{ productId: BEANS, quantity: 3 }] });
    await commitStock(inventory.transaction(), { orderId: ORDER });

    await expect(releaseFailedOrder(inventory.transaction(), ORDER, CAUSE)).rejects.toMatchObject({ code: 'RESERVATION.TRANSITION_NOT_ALLOWED' });
    expect(inventory.stock.get(BEANS)).toBe(2);
    expect(inventory.published).toEqual([]);
  });
});
