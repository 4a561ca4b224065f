import { randomUUID } from 'node:crypto';
import { type INestApplication } from '@nestjs/common';
import {
  CONSUMER_GROUPS,
  type Envelope,
  grpcServerOf,
  INVENTORY_REJECTED_V1,
  INVENTORY_RESERVED_V1,
  ORDER_CONFIRMED_V1,
  ORDER_PLACED_V1,
  ORDER_SHIPPED_V1,
  type OrderLineV1,
  PAYMENT_CHARGED_V1,
  type SagaStyle,
  SHIPPING_SHIPPED_V1,
  TOPICS,
} from '@shop/contracts';
import { envelope } from '@shop/messaging';
import { createLogger, runMigrations, startService } from '@shop/platform';
import { createTestDatabase, eventually, freePort, kafkaBrokers, publish, specKafka, startGroupsAtEnd } from '@shop/testing';
import { type Kafka } from 'kafkajs';
import { Client } from 'pg';
import { loadOrderConfig } from '../src/config/order.config';
import { orderDatabase } from '../src/infrastructure/persistence/database';
import { OrderModule } from '../src/order.module';

/**
 * order's two consumer groups with every message delivered twice (Kafka is at least once): the real app in-process
 * (free ports, fresh database, consumer groups of its own started at the end of the real topics). The read model and
 * the choreographed saga must each apply a message once, however often it arrives.
 */
describe('order consumers (read model, choreographed saga) on real Kafka', () => {
  const groupPrefix = `spec-${randomUUID()}.`;
  const readModelGroup = `${groupPrefix}${CONSUMER_GROUPS.orderReadModel}`;
  const sagaGroup = `${groupPrefix}${CONSUMER_GROUPS.orderSaga}`;
  let database: { url: string; drop: () => Promise<void> };
  let app: INestApplication;
  let sql: Client;
  let kafka: Kafka;

  beforeAll(async () => {
    database = await createTestDatabase('order_consumers');
    await runMigrations(orderDatabase(database.url));
    kafka = await specKafka('order-consumers-spec');
    await startGroupsAtEnd(kafka, [readModelGroup], [TOPICS.orders]);
    await startGroupsAtEnd(kafka, [sagaGroup], [TOPICS.inventory, TOPICS.payments, TOPICS.shipping]);
    const [httpPort, grpcPort] = [await freePort(), await freePort()];
    const config = loadOrderConfig({
      ORDER_DATABASE_URL: database.url,
      ORDER_HTTP_PORT: String(httpPort),
      ORDER_GRPC_PORT: String(grpcPort),
      KAFKA_BROKERS: (await kafkaBrokers()).join(','),
      // Never called here: the consumers only react to events.
      INVENTORY_GRPC_ADDRESS: `127.0.0.1:${await freePort()}`,
      PAYMENT_GRPC_ADDRESS: `127.0.0.1:${await freePort()}`,
      ORDER_CONSUMER_GROUP_PREFIX: groupPrefix,
      LOG_LEVEL: 'silent',
    });
    const logger = createLogger('order', config.LOG_LEVEL);
    app = await startService({
      service: 'order',
      logger,
      module: OrderModule.register(config, logger),
      httpPort,
      host: '127.0.0.1',
      grpc: grpcServerOf('order', `127.0.0.1:${grpcPort}`),
    });
    sql = new Client({ connectionString: database.url });
    await sql.connect();
    await eventually('order ready', async () => ((await fetch(`http://127.0.0.1:${httpPort}/health/ready`)).ok ? true : undefined), 60_000);
  });

  afterAll(async () => {
    await sql?.end();
    await app?.close();
    await database?.drop();
  });

  /** Resolves once `group` recorded the message in its inbox: every message before it on its partition is handled too. */
  const handled = (group: string, message: Envelope): Promise<true> =>
    eventually(`${message.type} ${message.id} handled by ${group}`, async () => {
      const rows = await sql.query('SELECT 1 FROM inbox WHERE consumer = $1 AND message_id = $2', [group, message.id]);
      return rows.rowCount === 1 ? true : undefined;
    }, 30_000);
  const outboxed = async (type: string, orderId: string): Promise<number> =>
    (await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE envelope->>'type' = $1 AND message_key = $2`, [type, orderId])).rows[0].n;
  /** Published last on the same partition (same key): once it is handled, every copy before it has been read. */
  const sentinel = (type: string, key: string): Envelope =>
    envelope(type, { orderId: randomUUID(), userId: randomUUID(), amountCents: 1, trackingNumber: 'SHP-NONE', shipmentId: randomUUID() }, { correlationId: key });
  const line = (): OrderLineV1 => ({ productId: randomUUID(), productName: 'Spec Lantern', quantity: 2, unitPriceCents: 1_250 });

  it('projects each order event once into the read model when every event is delivered twice', async () => {
    const [orderId, userId, item] = [randomUUID(), randomUUID(), line()];
    const data = { orderId, userId, items: [item], totalCents: 2_500 };
    const placed = envelope(ORDER_PLACED_V1, { ...data, sagaStyle: 'orchestration', deadline: new Date(Date.now() + 60_000).toISOString() }, { correlationId: orderId });
    const confirmed = envelope(ORDER_CONFIRMED_V1, data, { correlationId: orderId });
    const shipped = envelope(ORDER_SHIPPED_V1, { orderId, userId, trackingNumber: 'SHP-SPEC-0000-0001' }, { correlationId: orderId });
    const last = sentinel(ORDER_SHIPPED_V1, orderId);
    await publish(kafka, TOPICS.orders, orderId, [placed, placed, confirmed, confirmed, shipped, shipped, last]);
    await handled(readModelGroup, last);

    const view = (await sql.query('SELECT status, history, items, tracking_number FROM order_views WHERE id = $1', [orderId])).rows;
    expect(view).toHaveLength(1);
    expect(view[0]).toMatchObject({ status: 'SHIPPED', tracking_number: 'SHP-SPEC-0000-0001', items: [{ productId: item.productId, name: 'Spec Lantern', quantity: 2 }] });
    expect(view[0].history.map((h: { status: string }) => h.status)).toEqual(['PENDING', 'CONFIRMED', 'SHIPPED']);
    const sales = (await sql.query('SELECT units, revenue_cents, orders FROM sales_by_product WHERE product_id = $1', [item.productId])).rows;
    expect(sales).toEqual([{ units: '2', revenue_cents: '2500', orders: '1' }]);
  });

  /** A PENDING order of `style` with one line of 2 x 12.50, due in an hour. */
  const pendingOrder = async (orderId: string, userId: string, item: OrderLineV1, style: SagaStyle): Promise<void> => {
    await sql.query(
      `INSERT INTO orders (id, user_id, status, total_cents, saga_style, deadline_at) VALUES ($1, $2, 'PENDING', 2500, $3, now() + interval '1 hour')`,
      [orderId, userId, style],
    );
    await sql.query(`INSERT INTO order_lines (order_id, product_id, product_name, quantity, unit_price_cents) VALUES ($1, $2, $3, $4, $5)`, [
      orderId,
      item.productId,
      item.productName,
      item.quantity,
      item.unitPriceCents,
    ]);
  };

  it('confirms, then ships, a choreographed order once when payment.charged and shipping.shipped arrive twice', async () => {
    const [orderId, userId, item] = [randomUUID(), randomUUID(), line()];
    await pendingOrder(orderId, userId, item, 'choreography');

    const charged = envelope(PAYMENT_CHARGED_V1, { orderId, userId, amountCents: 2_500 }, { correlationId: orderId });
    const afterCharges = sentinel(PAYMENT_CHARGED_V1, orderId);
    await publish(kafka, TOPICS.payments, orderId, [charged, charged, afterCharges]);
    await handled(sagaGroup, afterCharges);
    expect((await sql.query('SELECT status FROM orders WHERE id = $1', [orderId])).rows).toEqual([{ status: 'CONFIRMED' }]);
    expect(await outboxed(ORDER_CONFIRMED_V1, orderId)).toBe(1);
    // The confirmed fact carries the order and its lines as the repository read them back in the status change.
    const [confirmedFact] = (
      await sql.query<{ data: object }>(`SELECT envelope->'data' AS data FROM outbox WHERE envelope->>'type' = $1 AND message_key = $2`, [ORDER_CONFIRMED_V1, orderId])
    ).rows;
    expect(confirmedFact.data).toEqual({ orderId, userId, totalCents: 2_500, items: [item] });

    const shipped = envelope(SHIPPING_SHIPPED_V1, { orderId, userId, shipmentId: randomUUID(), trackingNumber: 'SHP-SPEC-0000-0002' }, { correlationId: orderId });
    const afterShipped = sentinel(SHIPPING_SHIPPED_V1, orderId);
    await publish(kafka, TOPICS.shipping, orderId, [shipped, shipped, afterShipped]);
    await handled(sagaGroup, afterShipped);
    expect((await sql.query('SELECT status FROM orders WHERE id = $1', [orderId])).rows).toEqual([{ status: 'SHIPPED' }]);
    expect(await outboxed(ORDER_SHIPPED_V1, orderId)).toBe(1);
    const inbox = await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM inbox WHERE consumer = $1 AND message_id = ANY($2::uuid[])', [
      sagaGroup,
      [charged.id, shipped.id],
    ]);
    expect(inbox.rows[0].n).toBe(2);
  });

  it('names who stayed silent when a choreographed order passes its deadline: inventory, or payment once the stock was reserved', async () => {
    const userId = randomUUID();
    const [reservedId, unreservedId, orchestratedId] = [randomUUID(), randomUUID(), randomUUID()];
    await pendingOrder(reservedId, userId, line(), 'choreography');
    await pendingOrder(unreservedId, userId, line(), 'choreography');
    await pendingOrder(orchestratedId, userId, line(), 'orchestration');
    const reserved = (orderId: string, sagaStyle: SagaStyle): Envelope =>
      envelope(INVENTORY_RESERVED_V1, { orderId, userId, totalCents: 2_500, items: [line()], sagaStyle }, { correlationId: orderId });
    const stockReservedAt = async (orderId: string): Promise<Date | null> =>
      (await sql.query<{ at: Date | null }>('SELECT stock_reserved_at AS at FROM orders WHERE id = $1', [orderId])).rows[0].at;

    // Delivered twice: the first records the reservation, the second finds it recorded.
    const first = reserved(reservedId, 'choreography');
    const afterReserved = sentinel(INVENTORY_REJECTED_V1, reservedId);
    await publish(kafka, TOPICS.inventory, reservedId, [first, first, afterReserved]);
    // An orchestrated order's reservation is its orchestrator's business: nothing is recorded here.
    const afterOrchestrated = sentinel(INVENTORY_REJECTED_V1, orchestratedId);
    await publish(kafka, TOPICS.inventory, orchestratedId, [reserved(orchestratedId, 'orchestration'), afterOrchestrated]);
    await handled(sagaGroup, afterReserved);
    await handled(sagaGroup, afterOrchestrated);
    expect(await stockReservedAt(reservedId)).toBeInstanceOf(Date);
    expect(await stockReservedAt(unreservedId)).toBeNull();
    expect(await stockReservedAt(orchestratedId)).toBeNull();

    await sql.query(`UPDATE orders SET deadline_at = now() - interval '1 second' WHERE id = ANY($1::uuid[])`, [[reservedId, unreservedId]]);
    const outcomes = await eventually('both choreographed orders cancelled by the deadline watcher', async () => {
      const { rows } = await sql.query<{ id: string; status: string; reason: string | null }>(
        'SELECT id, status, reason FROM orders WHERE id = ANY($1::uuid[])',
        [[reservedId, unreservedId]],
      );
      return rows.every((row) => row.status === 'CANCELLED') ? new Map(rows.map((row) => [row.id, row.reason])) : undefined;
    }, 30_000);
    expect(outcomes.get(reservedId)).toBe('PAYMENT_UNAVAILABLE');
    expect(outcomes.get(unreservedId)).toBe('INVENTORY_UNAVAILABLE');
    expect((await sql.query('SELECT status FROM orders WHERE id = $1', [orchestratedId])).rows).toEqual([{ status: 'PENDING' }]);
  });
});
