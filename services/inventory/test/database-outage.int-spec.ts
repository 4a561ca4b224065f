import { randomUUID } from 'node:crypto';
import {
  deadLetterTopic,
  type Envelope,
  INVENTORY_RELEASED_V1,
  INVENTORY_RESERVED_V1,
  inventoryV1,
  ORDER_PLACED_V1,
  type OrderPlacedV1Data,
  PAYMENT_DECLINED_V1,
  TOPICS,
} from '@shop/contracts';
import { envelope } from '@shop/messaging';
import { callUnary, GrpcStatus } from '@shop/platform';
import { eventually, publish, specKafka, type TcpProxy, tcpProxy, TopicRecorder } from '@shop/testing';
import { type Kafka } from 'kafkajs';
import { Client } from 'pg';
import { catalogProduct, migratedDatabase, type RunningInventory, startInventoryApp } from './inventory-fixture';

/**
 * Inventory while its database is unreachable: the app reaches PostgreSQL through a loopback proxy that the spec
 * cuts (open connections break, new ones are refused) and restores. Callers get 503 and gRPC UNAVAILABLE, never a
 * 500; a saga event that arrives meanwhile waits for the database instead of being dead-lettered.
 */
describe('inventory while its database is down', () => {
  let database: { url: string; drop: () => Promise<void> };
  let proxy: TcpProxy;
  let inventory: RunningInventory;
  let sql: Client;
  let kafka: Kafka;
  let recorder: TopicRecorder;
  const stove = catalogProduct('OUT-013');

  beforeAll(async () => {
    database = await migratedDatabase('inventory_outage');
    const direct = new URL(database.url);
    proxy = await tcpProxy(direct.hostname, Number(direct.port || 5432));
    const proxied = new URL(database.url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    kafka = await specKafka('inventory-outage-spec');
    recorder = await TopicRecorder.start(kafka, [TOPICS.inventory, deadLetterTopic(TOPICS.payments)]);
    inventory = await startInventoryApp(proxied.toString(), `spec-${randomUUID()}.`);
    sql = new Client({ connectionString: database.url });
    await sql.connect();
    await eventually('inventory ready', async () => ((await fetch(`${inventory.baseUrl}/health/ready`)).ok ? true : undefined), 60_000);
  });

  afterAll(async () => {
    await proxy?.restore();
    await recorder?.stop();
    await sql?.end();
    inventory?.client.close();
    await inventory?.app.close();
    await proxy?.close();
    await database?.drop();
  });

  const stockOf = async (productId: string): Promise<number> =>
    (await sql.query<{ stock: number }>('SELECT stock FROM products WHERE id = $1', [productId])).rows[0].stock;
  const reservationOf = async (orderId: string): Promise<string | undefined> =>
    (await sql.query<{ status: string }>('SELECT status FROM reservations WHERE order_id = $1', [orderId])).rows[0]?.status;
  const byOrder = (orderId: string) => (data: { orderId: string }) => data.orderId === orderId;
  const deadLettered = (orderId: string) =>
    recorder.find(PAYMENT_DECLINED_V1, byOrder(orderId)).filter((message) => message.topic === deadLetterTopic(TOPICS.payments));
  const productStatus = async (): Promise<{ status: number; body: Record<string, unknown> }> => {
    const response = await fetch(`${inventory.baseUrl}/products/${stove.id}`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('answers 503 and UNAVAILABLE while the database is unreachable, waits out a saga event, and carries on when it is back', async () => {
    await sql.query('UPDATE products SET stock = 20 WHERE id = $1', [stove.id]);
    const orderId = randomUUID();
    const line = { productId: stove.id, productName: stove.name, quantity: 4, unitPriceCents: stove.priceCents };
    const data: OrderPlacedV1Data = {
      orderId,
      userId: randomUUID(),
      items: [line],
      totalCents: 4 * stove.priceCents,
      sagaStyle: 'choreography',
      deadline: new Date(Date.now() + 60_000).toISOString(),
    };
    await publish(kafka, TOPICS.orders, orderId, [envelope(ORDER_PLACED_V1, data, { correlationId: orderId })]);
    await recorder.waitFor(INVENTORY_RESERVED_V1, byOrder(orderId));
    expect(await stockOf(stove.id)).toBe(16);
    expect((await productStatus()).status).toBe(200);

    await proxy.cut();

    // The catalog's cache drops its snapshot with its listener's connection, so the read goes to the database.
    const down = await eventually('503 from the catalog', async () => {
      const answer = await productStatus();
      return answer.status === 200 ? undefined : answer;
    }, 15_000);
    expect(down).toEqual({
      status: 503,
      body: { statusCode: 503, error: 'Service Unavailable', code: 'DEPENDENCY.UNAVAILABLE', message: 'database is unavailable: try again shortly' },
    });
    await expect(
      callUnary('inventory', inventory.client, inventory.client.reserve, { orderId: randomUUID(), items: [{ productId: stove.id, quantity: 1 }] }, { deadlineMs: 5_000 }),
    ).rejects.toMatchObject({ category: 'unavailable', grpcCode: GrpcStatus.UNAVAILABLE });
    expect((await fetch(`${inventory.baseUrl}/health/ready`)).status).toBe(503);

    // The payment is declined while the database is down. The consumer would have spent its five attempts in about
    // 1.5 s; it keeps the event instead, and nothing reaches the dead-letter topic.
    const declined: Envelope = envelope(PAYMENT_DECLINED_V1, { orderId, userId: data.userId, amountCents: data.totalCents, reason: 'INSUFFICIENT_FUNDS' }, { correlationId: orderId });
    await publish(kafka, TOPICS.payments, orderId, [declined]);
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    expect(deadLettered(orderId)).toEqual([]);
    expect(await reservationOf(orderId)).toBe('RESERVED');

    await proxy.restore();

    const [released] = await recorder.waitFor<{ orderId: string }>(INVENTORY_RELEASED_V1, byOrder(orderId), 1, 60_000);
    expect(released.envelope.causationId).toBe(declined.id);
    expect(await reservationOf(orderId)).toBe('RELEASED');
    expect(await stockOf(stove.id)).toBe(20);
    expect(deadLettered(orderId)).toEqual([]);
    await eventually('200 from the catalog again', async () => ((await productStatus()).status === 200 ? true : undefined), 30_000);
    await eventually('ready again', async () => ((await fetch(`${inventory.baseUrl}/health/ready`)).ok ? true : undefined), 30_000);
    await expect(
      callUnary('inventory', inventory.client, inventory.client.reserve, { orderId: randomUUID(), items: [{ productId: stove.id, quantity: 1 }] }, { deadlineMs: 5_000 }),
    ).resolves.toMatchObject({ status: inventoryV1.ReservationStatus.RESERVATION_STATUS_RESERVED });
  });
});
