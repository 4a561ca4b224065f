import { InMemoryInventory } from '../../../test/in-memory-inventory';
import { releaseStock } from '../commands/release-stock.command';
import { type PlacedOrder, reservePlacedOrder } from './reserve-placed-order.event-handler';

const ORDER = '0dde0000-0000-4000-8000-000000000001';
const USER = 'a11ce000-0000-4000-8000-000000000001';
const BEANS = 'b210ed78-90a0-4c9a-b381-ffbd333bd36c';
const KETTLE = '5712e5ea-04f9-4ae6-b0e0-404f9dbc11c8';
const CAUSE = { correlationId: ORDER, causationId: 'ca000000-0000-4000-8000-000000000001' };

const order = (overrides: Partial<PlacedOrder> = {}): PlacedOrder => ({
  orderId: ORDER,
  userId: USER,
  items: [
    { productId: BEANS, quantity: 2, unitPriceCents: 1_450 },
    { productId: KETTLE, quantity: 1, unitPriceCents: 4_900 },
  ],
  totalCents: 7_800,
  sagaStyle: 'choreography',
  ...overrides,
});

describe('reserving a placed order (choreography)', () => {
  it('reserves every line and announces inventory.reserved with the order\'s user, total, lines and saga style', async () => {
    const inventory = new InMemoryInventory();
    inventory.stock.set(BEANS, 5).set(KETTLE, 1);

    const result = await reservePlacedOrder(inventory.transaction(), order(), CAUSE);

    expect(result).toEqual({ orderId: ORDER, status: 'RESERVED', unavailableProductIds: [] });
    expect([inventory.stock.get(BEANS), inventory.stock.get(KETTLE)]).toEqual([3, 0]);
    expect(inventory.published).toEqual([
      { type: 'reserved', data: { orderId: ORDER, userId: USER, totalCents: 7_800, items: order().items, sagaStyle: 'choreography' }, cause: CAUSE },
    ]);
  });

  it('takes nothing and announces inventory.rejected naming the short products when a line cannot be filled', async () => {
    const inventory = new InMemoryInventory();
    inventory.stock.set(BEANS, 5).set(KETTLE, 0);

    await reservePlacedOrder(inventory.transaction(), order(), CAUSE);

    expect(inventory.stock.get(BEANS)).toBe(5);
    expect(inventory.published).toEqual([
      { type: 'rejected', data: { orderId: ORDER, unavailableProductIds: [KETTLE], sagaStyle: 'choreography' }, cause: CAUSE },
    ]);
  });

  it('answers a repeated order.placed with the stored outcome and takes no stock again', async () => {
    const inventory = new InMemoryInventory();
    inventory.stock.set(BEANS, 5).set(KETTLE, 1);

    await reservePlacedOrder(inventory.transaction(), order(), CAUSE);
    await reservePlacedOrder(inventory.transaction(), order(), CAUSE);

    expect([inventory.stock.get(BEANS), inventory.stock.get(KETTLE)]).toEqual([3, 0]);
    expect(inventory.published.map((event) => event.type)).toEqual(['reserved', 'reserved']);
  });

  it('rejects the late order.placed of an order released before it was reserved (a tombstone)', async () => {
    const inventory = new InMemoryInventory();
    inventory.stock.set(BEANS, 5).set(KETTLE, 1);
    await releaseStock(inventory.transaction(), { orderId: ORDER });

    const result = await reservePlacedOrder(inventory.transaction(), order(), CAUSE);

    expect(result?.status).toBe('REJECTED');
    expect([inventory.stock.get(BEANS), inventory.stock.get(KETTLE)]).toEqual([5, 1]);
    expect(inventory.published).toEqual([
      { type: 'rejected', data: { orderId: ORDER, unavailableProductIds: [], sagaStyle: 'choreography' }, cause: CAUSE },
    ]);
  });

  it('leaves an orchestrated order to the orchestrator: no reservation, no event', async () => {
    const inventory = new InMemoryInventory();
    inventory.stock.set(BEANS, 5).set(KETTLE, 1);

    expect(await reservePlacedOrder(inventory.transaction(), order({ sagaStyle: 'orchestration' }), CAUSE)).toBeUndefined();

    expect(inventory.reservations.size).toBe(0);
    expect(inventory.published).toEqual([]);
  });
});
