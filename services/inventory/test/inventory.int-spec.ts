import { randomUUID } from 'node:crypto';
import { type INestApplication } from '@nestjs/common';
import { inventoryV1 } from '@shop/contracts';
import { callUnary, GrpcStatus } from '@shop/platform';
import { Client } from 'pg';
import { CATALOG } from '../src/infrastructure/persistence/seed/catalog';
import { catalogProduct as product, migratedDatabase, startInventoryApp } from './inventory-fixture';

const { ReservationStatus } = inventoryV1;
const DEADLINE_MS = 5_000;

/** The inventory app in-process on free ports, against a fresh migrated database, driven over real HTTP and gRPC. */
describe('inventory service', () => {
  let database: { url: string; drop: () => Promise<void> };
  let app: INestApplication;
  let baseUrl: string;
  let grpc: inventoryV1.InventoryServiceClient;
  let sql: Client;

  beforeAll(async () => {
    database = await migratedDatabase('inventory_component');
    // The app's consumer group is its own and starts at the end of the shared topics: only this spec writes here.
    ({ app, client: grpc, baseUrl } = await startInventoryApp(database.url, `spec-${randomUUID()}.`));
    sql = new Client({ connectionString: database.url });
    await sql.connect();
  });

  afterAll(async () => {
    grpc?.close();
    await sql?.end();
    await app?.close();
    await database?.drop();
  });

  const stockOf = async (productId: string): Promise<number> =>
    (await sql.query<{ stock: number }>('SELECT stock FROM products WHERE id = $1', [productId])).rows[0].stock;
  const setStock = async (productId: string, stock: number): Promise<void> => {
    await sql.query('UPDATE products SET stock = $2 WHERE id = $1', [productId, stock]);
  };
  const reservationCount = async (): Promise<number> =>
    (await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM reservations')).rows[0].n;

  const reserve = (orderId: string, items: inventoryV1.ReservationItem[]): Promise<inventoryV1.ReserveResponse> =>
    callUnary('inventory', grpc, grpc.reserve, { orderId, items }, { deadlineMs: DEADLINE_MS });
  const release = (orderId: string): Promise<inventoryV1.ReleaseResponse> =>
    callUnary('inventory', grpc, grpc.release, { orderId }, { deadlineMs: DEADLINE_MS });
  const commit = (orderId: string): Promise<inventoryV1.CommitResponse> =>
    callUnary('inventory', grpc, grpc.commit, { orderId }, { deadlineMs: DEADLINE_MS });
  const getProducts = (productIds: string[]): Promise<inventoryV1.GetProductsResponse> =>
    callUnary('inventory', grpc, grpc.getProducts, { productIds }, { deadlineMs: DEADLINE_MS });

  describe('catalog over REST', () => {
    it('lists at least 50 seeded products with their fixed ids, positive prices and stock, ordered by name', async () => {
      const response = await fetch(`${baseUrl}/products`);
      expect(response.status).toBe(200);
      const products = (await response.json()) as Array<Record<string, unknown>>;
      expect(products.length).toBeGreaterThanOrEqual(50);
      expect(products.map((p) => p.id).sort()).toEqual(CATALOG.map((p) => p.id).sort());
      for (const listed of products) {
        expect(Object.keys(listed).sort()).toEqual(['available', 'id', 'name', 'priceCents', 'sku']);
        expect(Number.isInteger(listed.priceCents) && (listed.priceCents as number) > 0).toBe(true);
        expect(Number.isInteger(listed.available) && (listed.available as number) >= 0).toBe(true);
      }
      const names = products.map((p) => String(p.name));
      expect(names).toEqual(await namesOrderedByDatabase());
    });

    it('seeds every product with a description and a stock between 20 and 200', () => {
      expect(new Set(CATALOG.map((p) => p.id)).size).toBe(CATALOG.length);
      expect(new Set(CATALOG.map((p) => p.sku)).size).toBe(CATALOG.length);
      for (const seeded of CATALOG) {
        expect(seeded.description.length).toBeGreaterThan(20);
        expect(seeded.stock).toBeGreaterThanOrEqual(20);
        expect(seeded.stock).toBeLessThanOrEqual(200);
      }
    });

    it('answers one product with its description', async () => {
      const press = product('COF-010');
      const response = await fetch(`${baseUrl}/products/${press.id}`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        id: press.id,
        sku: press.sku,
        name: press.name,
        description: press.description,
        priceCents: press.priceCents,
        available: await stockOf(press.id),
      });
    });

    it('answers the same product for its id in upper case, from the cache as from the database', async () => {
      const press = product('COF-010');
      const response = await fetch(`${baseUrl}/products/${press.id.toUpperCase()}`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ id: press.id, sku: press.sku });
    });

    it('answers 404 for a product id that does not exist', async () => {
      const response = await fetch(`${baseUrl}/products/${randomUUID()}`);
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ statusCode: 404, error: 'Not Found', code: 'PRODUCT.NOT_FOUND' });
    });

    it('answers 400 for a product id that is not a UUID', async () => {
      const response = await fetch(`${baseUrl}/products/not-a-uuid`);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ statusCode: 400, error: 'Bad Request', message: expect.stringContaining('product id') });
    });
  });

  describe('GetProducts over gRPC', () => {
    it('returns the known products and leaves unknown ids out', async () => {
      const [mug, grater] = [product('COF-014'), product('KIT-011')];
      const { products } = await getProducts([grater.id, randomUUID(), mug.id, mug.id]);
      expect(products.sort((a, b) => a.sku.localeCompare(b.sku))).toEqual([
        { id: mug.id, sku: mug.sku, name: mug.name, priceCents: mug.priceCents, available: await stockOf(mug.id) },
        { id: grater.id, sku: grater.sku, name: grater.name, priceCents: grater.priceCents, available: await stockOf(grater.id) },
      ]);
    });

    it('returns nothing for no ids', async () => {
      expect(await getProducts([])).toEqual({ products: [] });
    });

    it('refuses ids that are not UUIDs with INVALID_ARGUMENT', async () => {
      await expect(getProducts(['COF-001'])).rejects.toMatchObject({ grpcCode: GrpcStatus.INVALID_ARGUMENT });
    });
  });

  describe('Reserve', () => {
    it('takes stock once when the same order is reserved twice', async () => {
      const [beans, filters] = [product('COF-001'), product('COF-007')];
      const [beansBefore, filtersBefore] = [await stockOf(beans.id), await stockOf(filters.id)];
      const orderId = randomUUID();
      const items = [
        { productId: beans.id, quantity: 2 },
        { productId: filters.id, quantity: 3 },
      ];
      const first = await reserve(orderId, items);
      const second = await reserve(orderId, items);
      expect(first).toEqual({ orderId, status: ReservationStatus.RESERVATION_STATUS_RESERVED, unavailableProductIds: [] });
      expect(second).toEqual(first);
      expect(await stockOf(beans.id)).toBe(beansBefore - 2);
      expect(await stockOf(filters.id)).toBe(filtersBefore - 3);
    });

    it('takes stock once when the same order is reserved ten times at once', async () => {
      const blend = product('COF-003');
      const before = await stockOf(blend.id);
      const orderId = randomUUID();
      const answers = await Promise.all(Array.from({ length: 10 }, () => reserve(orderId, [{ productId: blend.id, quantity: 4 }])));
      expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(ReservationStatus.RESERVATION_STATUS_RESERVED));
      expect(await stockOf(blend.id)).toBe(before - 4);
    });

    it('merges duplicate product ids into one line', async () => {
      const kettle = product('COF-008');
      const before = await stockOf(kettle.id);
      const orderId = randomUUID();
      const answer = await reserve(orderId, [
        { productId: kettle.id, quantity: 1 },
        { productId: kettle.id, quantity: 2 },
      ]);
      expect(answer.status).toBe(ReservationStatus.RESERVATION_STATUS_RESERVED);
      expect(await stockOf(kettle.id)).toBe(before - 3);
      const lines = await sql.query('SELECT product_id, quantity FROM reservation_items WHERE order_id = $1', [orderId]);
      expect(lines.rows).toEqual([{ product_id: kettle.id, quantity: 3 }]);
    });

    it('rejects the whole order, naming the short product, and takes nothing when one item is short', async () => {
      const [skillet, knife] = [product('KIT-001'), product('KIT-002')];
      await setStock(knife.id, 1);
      const skilletBefore = await stockOf(skillet.id);
      const orderId = randomUUID();
      const items = [
        { productId: skillet.id, quantity: 1 },
        { productId: knife.id, quantity: 2 },
      ];
      const answer = await reserve(orderId, items);
      expect(answer).toEqual({ orderId, status: ReservationStatus.RESERVATION_STATUS_REJECTED, unavailableProductIds: [knife.id] });
      expect(await stockOf(skillet.id)).toBe(skilletBefore);
      expect(await stockOf(knife.id)).toBe(1);

      await setStock(knife.id, 50);
      expect(await reserve(orderId, items)).toEqual(answer);
      expect(await stockOf(skillet.id)).toBe(skilletBefore);
      expect(await stockOf(knife.id)).toBe(50);
    });

    it('rejects an order with an unknown product and lists that id', async () => {
      const board = product('KIT-003');
      const before = await stockOf(board.id);
      const unknown = randomUUID();
      const orderId = randomUUID();
      const answer = await reserve(orderId, [
        { productId: board.id, quantity: 1 },
        { productId: unknown, quantity: 1 },
      ]);
      expect(answer).toEqual({ orderId, status: ReservationStatus.RESERVATION_STATUS_REJECTED, unavailableProductIds: [unknown] });
      expect(await stockOf(board.id)).toBe(before);
    });

    it.each([
      ['no items', []],
      ['a quantity of 0', [{ productId: CATALOG[0].id, quantity: 0 }]],
      ['a quantity of 101', [{ productId: CATALOG[0].id, quantity: 101 }]],
      ['a product id that is not a UUID', [{ productId: 'COF-001', quantity: 1 }]],
    ])('refuses %s with INVALID_ARGUMENT and writes nothing', async (_what, items) => {
      const reservationsBefore = await reservationCount();
      const stockBefore = await stockOf(CATALOG[0].id);
      await expect(reserve(randomUUID(), items)).rejects.toMatchObject({ grpcCode: GrpcStatus.INVALID_ARGUMENT });
      expect(await reservationCount()).toBe(reservationsBefore);
      expect(await stockOf(CATALOG[0].id)).toBe(stockBefore);
    });

    it('refuses an order id that is not a UUID with INVALID_ARGUMENT', async () => {
      await expect(reserve('order-1', [{ productId: CATALOG[0].id, quantity: 1 }])).rejects.toMatchObject({
        grpcCode: GrpcStatus.INVALID_ARGUMENT,
        message: expect.stringContaining('orderId'),
      });
    });

    it('lets exactly 5 of 20 concurrent orders take the last 5 units, and stock ends at 0', async () => {
      const headlamp = product('OUT-005');
      await setStock(headlamp.id, 5);
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => reserve(randomUUID(), [{ productId: headlamp.id, quantity: 1 }])),
      );
      const count = (status: inventoryV1.ReservationStatus): number => answers.filter((answer) => answer.status === status).length;
      expect(count(ReservationStatus.RESERVATION_STATUS_RESERVED)).toBe(5);
      expect(count(ReservationStatus.RESERVATION_STATUS_REJECTED)).toBe(15);
      expect(await stockOf(headlamp.id)).toBe(0);
    });
  });

  describe('Release', () => {
    it('gives the stock back once when released twice', async () => {
      const [tent, bag] = [product('OUT-002'), product('OUT-003')];
      const [tentBefore, bagBefore] = [await stockOf(tent.id), await stockOf(bag.id)];
      const orderId = randomUUID();
      await reserve(orderId, [
        { productId: tent.id, quantity: 1 },
        { productId: bag.id, quantity: 2 },
      ]);
      const first = await release(orderId);
      const second = await release(orderId);
      expect(first).toEqual({ orderId, status: ReservationStatus.RESERVATION_STATUS_RELEASED });
      expect(second).toEqual(first);
      expect(await stockOf(tent.id)).toBe(tentBefore);
      expect(await stockOf(bag.id)).toBe(bagBefore);
      expect(await reserve(orderId, [{ productId: tent.id, quantity: 1 }])).toMatchObject({ status: ReservationStatus.RESERVATION_STATUS_RELEASED });
      expect(await stockOf(tent.id)).toBe(tentBefore);
    });

    it('leaves a rejected reservation as it is', async () => {
      const poles = product('OUT-004');
      const orderId = randomUUID();
      await setStock(poles.id, 0);
      await reserve(orderId, [{ productId: poles.id, quantity: 1 }]);
      await setStock(poles.id, 10);
      expect(await release(orderId)).toEqual({ orderId, status: ReservationStatus.RESERVATION_STATUS_REJECTED });
      expect(await release(orderId)).toEqual({ orderId, status: ReservationStatus.RESERVATION_STATUS_REJECTED });
      expect(await stockOf(poles.id)).toBe(10);
    });

    it('records a tombstone for an unknown order, so that a late Reserve for it is rejected and takes no stock', async () => {
      const stove = product('OUT-006');
      const before = await stockOf(stove.id);
      const orderId = randomUUID();
      expect(await release(orderId)).toEqual({ orderId, status: ReservationStatus.RESERVATION_STATUS_RELEASED });
      expect(await reserve(orderId, [{ productId: stove.id, quantity: 1 }])).toEqual({
        orderId,
        status: ReservationStatus.RESERVATION_STATUS_REJECTED,
        unavailableProductIds: [],
      });
      expect(await stockOf(stove.id)).toBe(before);
      expect(await release(orderId)).toEqual({ orderId, status: ReservationStatus.RESERVATION_STATUS_RELEASED });
      expect(await stockOf(stove.id)).toBe(before);
    });

    it('refuses to release a committed reservation with FAILED_PRECONDITION', async () => {
      const socks = product('OUT-010');
      const orderId = randomUUID();
      await reserve(orderId, [{ productId: socks.id, quantity: 2 }]);
      await commit(orderId);
      const after = await stockOf(socks.id);
      await expect(release(orderId)).rejects.toMatchObject({ grpcCode: GrpcStatus.FAILED_PRECONDITION });
      expect(await stockOf(socks.id)).toBe(after);
    });
  });

  describe('Commit', () => {
    it('commits once when committed twice and keeps the stock taken', async () => {
      const lamp = product('DSK-003');
      const before = await stockOf(lamp.id);
      const orderId = randomUUID();
      await reserve(orderId, [{ productId: lamp.id, quantity: 2 }]);
      expect(await commit(orderId)).toEqual({ orderId, status: ReservationStatus.RESERVATION_STATUS_COMMITTED });
      expect(await commit(orderId)).toEqual({ orderId, status: ReservationStatus.RESERVATION_STATUS_COMMITTED });
      expect(await stockOf(lamp.id)).toBe(before - 2);
      const row = await sql.query('SELECT status FROM reservations WHERE order_id = $1', [orderId]);
      expect(row.rows).toEqual([{ status: 'COMMITTED' }]);
    });

    it('refuses an unknown order with FAILED_PRECONDITION and records nothing', async () => {
      const orderId = randomUUID();
      await expect(commit(orderId)).rejects.toMatchObject({ grpcCode: GrpcStatus.FAILED_PRECONDITION });
      expect((await sql.query('SELECT 1 FROM reservations WHERE order_id = $1', [orderId])).rowCount).toBe(0);
    });

    it('refuses a released or rejected reservation with FAILED_PRECONDITION', async () => {
      const [released, rejected] = [randomUUID(), randomUUID()];
      await reserve(released, [{ productId: product('DSK-004').id, quantity: 1 }]);
      await release(released);
      await reserve(rejected, [{ productId: randomUUID(), quantity: 1 }]);
      await expect(commit(released)).rejects.toMatchObject({ grpcCode: GrpcStatus.FAILED_PRECONDITION });
      await expect(commit(rejected)).rejects.toMatchObject({ grpcCode: GrpcStatus.FAILED_PRECONDITION });
    });
  });

  describe('the database itself', () => {
    it('refuses a direct update that would make stock negative', async () => {
      const clock = product('DSK-011');
      const before = await stockOf(clock.id);
      await expect(sql.query('UPDATE products SET stock = -1 WHERE id = $1', [clock.id])).rejects.toMatchObject({ code: '23514' });
      expect(await stockOf(clock.id)).toBe(before);
    });
  });

  async function namesOrderedByDatabase(): Promise<string[]> {
    return (await sql.query<{ name: string }>('SELECT name FROM products ORDER BY name, id')).rows.map((row) => row.name);
  }
});
