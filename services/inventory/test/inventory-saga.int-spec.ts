import { randomUUID } from 'node:crypto';
import {
  CONSUMER_GROUPS,
  deadLetterTopic,
  type Envelope,
  INVENTORY_REJECTED_V1,
  INVENTORY_RELEASED_V1,
  INVENTORY_RESERVED_V1,
  type InventoryRejectedV1Data,
  type InventoryReleasedV1Data,
  type InventoryReservedV1Data,
  ORDER_CANCELLED_V1,
  ORDER_CONFIRMED_V1,
  ORDER_PLACED_V1,
  type OrderLineV1,
  type OrderPlacedV1Data,
  PAYMENT_DECLINED_V1,
  type SagaStyle,
  TOPICS,
} from '@shop/contracts';
import { envelope } from '@shop/messaging';
import { eventually, publish, specKafka, TopicRecorder } from '@shop/testing';
import { type Kafka } from 'kafkajs';
import { Client } from 'pg';
import { type CatalogProduct } from '../src/infrastructure/persistence/seed/catalog';
import { catalogProduct as product, migratedDatabase, type RunningInventory, startInventoryApp } from './inventory-fixture';

/**
 * Inventory as a participant of the choreographed order saga: the real app in-process (free ports, fresh
 * database, its own consumer group started at the end of the real topics). The spec publishes order and payment
 * events with a kafkajs producer and reads inventory's answers back from Kafka, filtered by its own order ids.
 */
describe('inventory saga participant over Kafka', () => {
  const groupPrefix = `spec-${randomUUID()}.`;
  let database: { url: string; drop: () => Promise<void> };
  let inventory: RunningInventory;
  let sql: Client;
  let kafka: Kafka;
  let recorder: TopicRecorder;

  beforeAll(async () => {
    database = await migratedDatabase('inventory_saga');
    kafka = await specKafka('inventory-saga-spec');
    recorder = await TopicRecorder.start(kafka, [TOPICS.inventory, deadLetterTopic(TOPICS.orders)]);
    inventory = await startInventoryApp(database.url, groupPrefix);
    sql = new Client({ connectionString: database.url });
    await sql.connect();
    // Ready means the database, Kafka and the consumer group are up.
    await eventually('inventory ready', async () => ((await fetch(`${inventory.baseUrl}/health/ready`)).ok ? true : undefined), 60_000);
  });

  afterAll(async () => {
    await recorder?.stop();
    await sql?.end();
    inventory?.client.close();
    await inventory?.app.close();
    await database?.drop();
  });

  // Products the other component spec of this service does not use.
  const [lantern, stove, lamp] = [product('OUT-012'), product('OUT-013'), product('DSK-012')];
  const stockOf = async (productId: string): Promise<number> =>
    (await sql.query<{ stock: number }>('SELECT stock FROM products WHERE id = $1', [productId])).rows[0].stock;
  const setStock = async (productId: string, stock: number): Promise<void> => {
    await sql.query('UPDATE products SET stock = $2 WHERE id = $1', [productId, stock]);
  };
  const reservationOf = async (orderId: string): Promise<string | undefined> =>
    (await sql.query<{ status: string }>('SELECT status FROM reservations WHERE order_id = $1', [orderId])).rows[0]?.status;
  /** Outgoing events of one order written to the outbox (what the relay publishes, each once). */
  const outboxed = async (type: string, orderId: string): Promise<number> =>
    (await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE envelope->>'type' = $1 AND message_key = $2`, [type, orderId])).rows[0].n;
  /** Resolves once the consumer recorded the message in its inbox: every message before it on its partition is handled too. */
  const handled = (message: Envelope): Promise<true> =>
    eventually(`${message.type} ${message.id} handled`, async () => {
      const rows = await sql.query('SELECT 1 FROM inbox WHERE consumer = $1 AND message_id = $2', [CONSUMER_GROUPS.inventorySaga, message.id]);
      return rows.rowCount === 1 ? true : undefined;
    }, 30_000);

  const placed = (orderId: string, items: OrderLineV1[], sagaStyle: SagaStyle = 'choreography'): Envelope<string, OrderPlacedV1Data> => {
    const totalCents = items.reduce((sum, item) => sum + item.quantity * item.unitPriceCents, 0);
    const data: OrderPlacedV1Data = { orderId, userId: randomUUID(), items, totalCents, sagaStyle, deadline: new Date(Date.now() + 30_000).toISOString() };
    return envelope(ORDER_PLACED_V1, data, { correlationId: orderId });
  };
  const orderEvent = (type: string, orderId: string, extra: Record<string, unknown> = {}): Envelope =>
    envelope(type, { orderId, userId: randomUUID(), ...extra }, { correlationId: orderId });
  const lineOf = (item: CatalogProduct, quantity: number): OrderLineV1 => ({
    productId: item.id,
    productName: item.name,
    quantity,
    unitPriceCents: item.priceCents,
  });
  const byOrder = (orderId: string) => (data: { orderId: string }) => data.orderId === orderId;

  /** Places a choreographed order and waits until it is reserved. */
  const reserve = async (orderId: string, items: OrderLineV1[]): Promise<void> => {
    await publish(kafka, TOPICS.orders, orderId, [placed(orderId, items)]);
    await recorder.waitFor(INVENTORY_RESERVED_V1, byOrder(orderId));
  };

  describe('order.placed.v1', () => {
    it('reserves a choreographed order and publishes inventory.reserved.v1, taking stock once even when delivered twice', async () => {
      await setStock(lantern.id, 50);
      await setStock(stove.id, 50);
      const orderId = randomUUID();
      const items = [lineOf(lantern, 3), lineOf(stove, 1)];
      const message = placed(orderId, items);
      const sentinel = placed(randomUUID(), [lineOf(lantern, 1)], 'orchestration');
      await publish(kafka, TOPICS.orders, orderId, [message, message, sentinel]);

      const [reserved] = await recorder.waitFor<InventoryReservedV1Data>(INVENTORY_RESERVED_V1, byOrder(orderId));
      expect(reserved.key).toBe(orderId);
      expect(reserved.envelope).toMatchObject({
        type: INVENTORY_RESERVED_V1,
        version: 1,
        correlationId: orderId,
        causationId: message.id,
        data: { orderId, userId: message.data.userId, totalCents: message.data.totalCents, items, sagaStyle: 'choreography' },
      });
      await handled(sentinel);
      expect(await stockOf(lantern.id)).toBe(47);
      expect(await stockOf(stove.id)).toBe(49);
      expect(await reservationOf(orderId)).toBe('RESERVED');
      expect(await outboxed(INVENTORY_RESERVED_V1, orderId)).toBe(1);
    });

    it('rejects an order it cannot fill with inventory.rejected.v1 naming the short products, and takes nothing', async () => {
      await setStock(lantern.id, 50);
      await setStock(lamp.id, 2);
      const orderId = randomUUID();
      await publish(kafka, TOPICS.orders, orderId, [placed(orderId, [lineOf(lantern, 1), lineOf(lamp, 3)])]);

      const [rejected] = await recorder.waitFor<InventoryRejectedV1Data>(INVENTORY_REJECTED_V1, byOrder(orderId));
      expect(rejected.envelope.data).toEqual({ orderId, unavailableProductIds: [lamp.id], sagaStyle: 'choreography' });
      expect(await stockOf(lantern.id)).toBe(50);
      expect(await stockOf(lamp.id)).toBe(2);
      expect(await reservationOf(orderId)).toBe('REJECTED');
    });

    it('leaves an orchestrated order alone: the orchestrator reserves it over gRPC', async () => {
      await setStock(lantern.id, 50);
      const orderId = randomUUID();
      const message = placed(orderId, [lineOf(lantern, 5)], 'orchestration');
      await publish(kafka, TOPICS.orders, orderId, [message]);

      await handled(message);
      expect(await reservationOf(orderId)).toBeUndefined();
      expect(await stockOf(lantern.id)).toBe(50);
      expect(await outboxed(INVENTORY_RESERVED_V1, orderId)).toBe(0);
    });

    it('dead-letters an order.placed that breaks its contract and writes nothing', async () => {
      const orderId = randomUUID();
      const broken = placed(orderId, [{ productId: lantern.id, quantity: 0, unitPriceCents: lantern.priceCents }]);
      await publish(kafka, TOPICS.orders, orderId, [broken]);

      await eventually('the broken event on the dead-letter topic', async () =>
        recorder.received.some((message) => message.topic === deadLetterTopic(TOPICS.orders) && message.envelope.id === broken.id) ? true : undefined,
      30_000);
      expect(await reservationOf(orderId)).toBeUndefined();
      expect((await sql.query('SELECT 1 FROM inbox WHERE message_id = $1', [broken.id])).rowCount).toBe(0);
    });
  });

  describe('payment.declined.v1', () => {
    it('releases the reservation once and publishes inventory.released.v1 once, even when delivered twice', async () => {
      await setStock(stove.id, 20);
      const orderId = randomUUID();
      await reserve(orderId, [lineOf(stove, 4)]);
      expect(await stockOf(stove.id)).toBe(16);

      const declined = orderEvent(PAYMENT_DECLINED_V1, orderId, { amountCents: 4 * stove.priceCents, reason: 'INSUFFICIENT_FUNDS' });
      const again = orderEvent(PAYMENT_DECLINED_V1, orderId, { amountCents: 4 * stove.priceCents, reason: 'INSUFFICIENT_FUNDS' });
      await publish(kafka, TOPICS.payments, orderId, [declined, declined, again]);

      const [released] = await recorder.waitFor<InventoryReleasedV1Data>(INVENTORY_RELEASED_V1, byOrder(orderId));
      expect(released.envelope).toMatchObject({ correlationId: orderId, causationId: declined.id, data: { orderId } });
      await handled(again);
      expect(await stockOf(stove.id)).toBe(20);
      expect(await reservationOf(orderId)).toBe('RELEASED');
      expect(await outboxed(INVENTORY_RELEASED_V1, orderId)).toBe(1);
    });
  });

  describe('order.cancelled.v1', () => {
    it('releases a reserved order and publishes inventory.released.v1', async () => {
      await setStock(lantern.id, 30);
      const orderId = randomUUID();
      await reserve(orderId, [lineOf(lantern, 10)]);

      await publish(kafka, TOPICS.orders, orderId, [orderEvent(ORDER_CANCELLED_V1, orderId, { reason: 'PAYMENT_UNAVAILABLE' })]);

      await recorder.waitFor(INVENTORY_RELEASED_V1, byOrder(orderId));
      expect(await stockOf(lantern.id)).toBe(30);
      expect(await reservationOf(orderId)).toBe('RELEASED');
    });

    it('records a tombstone for an order not reserved yet, so its late order.placed is rejected and takes nothing', async () => {
      await setStock(lantern.id, 30);
      const orderId = randomUUID();
      const cancellation = orderEvent(ORDER_CANCELLED_V1, orderId, { reason: 'PAYMENT_UNAVAILABLE' });
      await publish(kafka, TOPICS.orders, orderId, [cancellation]);
      await handled(cancellation);
      expect(await reservationOf(orderId)).toBe('RELEASED');

      await publish(kafka, TOPICS.orders, orderId, [placed(orderId, [lineOf(lantern, 5)])]);

      const [rejected] = await recorder.waitFor<InventoryRejectedV1Data>(INVENTORY_REJECTED_V1, byOrder(orderId));
      expect(rejected.envelope.data).toEqual({ orderId, unavailableProductIds: [], sagaStyle: 'choreography' });
      expect(await stockOf(lantern.id)).toBe(30);
      expect(await outboxed(INVENTORY_RESERVED_V1, orderId)).toBe(0);
      expect(await outboxed(INVENTORY_RELEASED_V1, orderId)).toBe(0);
    });
  });

  describe('order.confirmed.v1', () => {
    it('commits the reservation once, even when delivered twice: the units stay sold', async () => {
      await setStock(lamp.id, 10);
      const orderId = randomUUID();
      await reserve(orderId, [lineOf(lamp, 2)]);

      const confirmed = orderEvent(ORDER_CONFIRMED_V1, orderId, { items: [lineOf(lamp, 2)], totalCents: 2 * lamp.priceCents });
      await publish(kafka, TOPICS.orders, orderId, [confirmed, confirmed]);

      await handled(confirmed);
      await eventually('the reservation committed', async () => ((await reservationOf(orderId)) === 'COMMITTED' ? true : undefined));
      expect(await stockOf(lamp.id)).toBe(8);
      expect(await outboxed(INVENTORY_RELEASED_V1, orderId)).toBe(0);
    });
  });
});
