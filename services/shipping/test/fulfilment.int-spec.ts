import { randomUUID } from 'node:crypto';
import { type Consumer, type Kafka } from 'kafkajs';
import { Client } from 'pg';
import {
  CONSUMER_GROUPS,
  CREATE_SHIPMENT_V1,
  type Envelope,
  ORDER_CONFIRMED_V1,
  type OrderConfirmedV1Data,
  SHIPPING_SHIPPED_V1,
  type ShippingShippedV1Data,
  TOPICS,
} from '@shop/contracts';
import { createKafka, envelope, KafkaPublisher, RabbitMqConnection } from '@shop/messaging';
import { runMigrations } from '@shop/platform';
import { createTestDatabase, eventually, freePort, kafkaBrokers, rabbitmqUrl, startGroupsAtEnd } from '@shop/testing';
import { shippingQueueTopology } from '../src/infrastructure/messaging/shipping-queue.topology';
import { shippingDatabase } from '../src/infrastructure/persistence/database';
import { isTrackingNumber } from '../src/domain/shipment';
import {
  assertWorkerBuilt,
  deleteTopology,
  metricSum,
  queueDepths,
  type ShippingProcess,
  specPrefix,
  startShippingProcess,
  startWorker,
  type WorkerProcess,
} from './shipping-fixture';

/**
 * Choreographed fulfilment end to end inside the shipping service: order.confirmed.v1 on real Kafka, the shipping
 * app (`dist/main.js`: consumer, inbox, outbox, relay) and one worker (`dist/worker.js`) as processes, a real
 * RabbitMQ work queue of the spec's own, real PostgreSQL, and shipping.shipped.v1 read back from Kafka.
 * The Kafka topics are shared: another shipping install reading orders.events.v1 may ship the spec's orders too,
 * so the spec recognises its own shipped events by the ids in its own outbox.
 */
describe('shipping fulfilment of confirmed orders', () => {
  const prefix = specPrefix('fulfilment');
  const topology = shippingQueueTopology(prefix);
  let database: { url: string; drop: () => Promise<void> };
  let app: ShippingProcess;
  let worker: WorkerProcess;
  let baseUrl: string;
  let sql: Client;
  let kafka: Kafka;
  let producer: KafkaPublisher;
  let shippedReader: Consumer;
  let rabbit: RabbitMqConnection;
  const shipped: Array<Envelope<string, ShippingShippedV1Data>> = [];

  beforeAll(async () => {
    assertWorkerBuilt();
    database = await createTestDatabase('shipping_fulfilment');
    await runMigrations(shippingDatabase(database.url));
    const brokers = (await kafkaBrokers()).join(',');
    const env = {
      SHIPPING_DATABASE_URL: database.url,
      KAFKA_BROKERS: brokers,
      RABBITMQ_URL: await rabbitmqUrl(),
      SHIPPING_CONSUMER_GROUP_PREFIX: prefix,
      SHIPPING_QUEUE_PREFIX: prefix,
      SHIPPING_RETRY_DELAY_MS: '300',
    };
    kafka = createKafka({ clientId: 'shipping-fulfilment-spec', brokers: brokers.split(',') });
    producer = new KafkaPublisher(kafka);
    // The spec's own consumer group starts where orders.events.v1 ends now, so the app handles only the spec's
    // events, not the topic's whole history (a new group would otherwise start at the beginning).
    // The spec's reader of shipping.events.v1 starts at the end too.
    await startGroupsAtEnd(kafka, [`${prefix}${CONSUMER_GROUPS.shippingFulfilment}`], [TOPICS.orders]);
    await startGroupsAtEnd(kafka, [`${prefix}shipped-reader`], [TOPICS.shipping]);

    [app, worker] = await Promise.all([startShippingProcess('app', 'app', await freePort(), env), startWorker('one', await freePort(), env)]);
    baseUrl = `http://127.0.0.1:${app.port}`;
    sql = new Client({ connectionString: database.url });
    await sql.connect();
    rabbit = new RabbitMqConnection(await rabbitmqUrl());
    shippedReader = kafka.consumer({ groupId: `${prefix}shipped-reader` });
    await shippedReader.connect();
    await shippedReader.subscribe({ topics: [TOPICS.shipping] });
    await shippedReader.run({
      eachMessage: async ({ message }) => {
        const event = JSON.parse(message.value?.toString() ?? '{}') as Envelope<string, ShippingShippedV1Data>;
        if (event.type === SHIPPING_SHIPPED_V1) shipped.push(event);
      },
    });
  });

  afterAll(async () => {
    await shippedReader?.disconnect();
    await producer?.close();
    await Promise.all([worker?.stop(), app?.stop()]);
    if (rabbit) {
      await deleteTopology(rabbit, topology).catch(() => undefined);
      await rabbit.close();
    }
    await sql?.end();
    await database?.drop();
  });

  const confirmed = (data: OrderConfirmedV1Data): Envelope => envelope(ORDER_CONFIRMED_V1, data, { correlationId: data.orderId });
  const publish = (event: Envelope): Promise<void> =>
    producer.publish([{ topic: TOPICS.orders, key: (event.data as { orderId: string }).orderId, value: JSON.stringify(event), headers: {} }]);
  const orderData = (): OrderConfirmedV1Data => ({
    orderId: randomUUID(),
    userId: randomUUID(),
    items: [
      { productId: randomUUID(), quantity: 2, unitPriceCents: 1_250 },
      { productId: randomUUID(), quantity: 1, unitPriceCents: 899 },
    ],
    totalCents: 3_399,
  });
  const count = async (query: string, params: unknown[]): Promise<number> => (await sql.query<{ n: number }>(query, params)).rows[0].n;
  const shipmentsOf = (orderId: string): Promise<number> => count('SELECT count(*)::int AS n FROM shipments WHERE order_id = $1', [orderId]);
  /** The ids of the shipped events this spec's database wrote for the order. */
  const ownShippedIds = async (orderId: string): Promise<string[]> =>
    (await sql.query<{ id: string }>(`SELECT id FROM outbox WHERE envelope->>'type' = $1 AND message_key = $2`, [SHIPPING_SHIPPED_V1, orderId])).rows.map(
      (row) => row.id,
    );
  const shippedOnKafka = (ids: readonly string[]): Array<Envelope<string, ShippingShippedV1Data>> => shipped.filter((event) => ids.includes(event.id));

  it('turns order.confirmed.v1 into exactly one shipment and one shipping.shipped.v1 on Kafka', async () => {
    const order = orderData();
    const event = confirmed(order);
    await publish(event);

    const body = await eventually(
      'the shipment over REST',
      async () => {
        const response = await fetch(`${baseUrl}/shipments/${order.orderId}`);
        return response.status === 200 ? ((await response.json()) as Record<string, string>) : undefined;
      },
      30_000,
    );
    expect(Object.keys(body).sort()).toEqual(['createdAt', 'orderId', 'shipmentId', 'trackingNumber']);
    expect(body.orderId).toBe(order.orderId);
    expect(isTrackingNumber(body.trackingNumber)).toBe(true);
    expect(Number.isNaN(Date.parse(body.createdAt))).toBe(false);

    const ids = await eventually('one shipped event in the outbox', async () => {
      const found = await ownShippedIds(order.orderId);
      return found.length > 0 ? found : undefined;
    });
    expect(ids).toHaveLength(1);
    const [fact] = await eventually('shipping.shipped.v1 on Kafka', async () => (shippedOnKafka(ids).length > 0 ? shippedOnKafka(ids) : undefined), 30_000);
    expect(fact.data).toEqual({ orderId: order.orderId, userId: order.userId, shipmentId: body.shipmentId, trackingNumber: body.trackingNumber });
    expect(fact.correlationId).toBe(event.correlationId);

    // The chain of causes: order.confirmed.v1 -> the create-shipment task -> shipping.shipped.v1.
    const task = await sql.query<{ envelope: Envelope }>(
      `SELECT envelope FROM outbox WHERE destination = 'rabbitmq' AND envelope->'data'->>'orderId' = $1`,
      [order.orderId],
    );
    expect(task.rows).toHaveLength(1);
    expect(task.rows[0].envelope).toMatchObject({ type: CREATE_SHIPMENT_V1, causationId: event.id, correlationId: event.correlationId });
    expect(task.rows[0].envelope.data).toEqual({ orderId: order.orderId, userId: order.userId, items: order.items });
    expect(fact.causationId).toBe(task.rows[0].envelope.id);

    const stored = await sql.query('SELECT user_id, items FROM shipments WHERE order_id = $1', [order.orderId]);
    expect(stored.rows).toEqual([
      { user_id: order.userId, items: [...order.items].map(({ productId, quantity }) => ({ productId, quantity })).sort((a, b) => (a.productId < b.productId ? -1 : 1)) },
    ]);
  });

  it('ships an order once when the same event arrives twice and when the order is confirmed again under a new message id', async () => {
    const order = orderData();
    const first = confirmed(order);
    await publish(first);
    await publish(first);
    const again = confirmed(order);
    await publish(again);

    // One key, one partition, handled in order: once `again` is in the inbox, both copies of `first` were handled.
    await eventually('the second confirmation handled', async () =>
      (await count('SELECT count(*)::int AS n FROM inbox WHERE message_id = $1', [again.id])) === 1 ? true : undefined, 30_000);
    expect(await count('SELECT count(*)::int AS n FROM inbox WHERE message_id = ANY($1::uuid[])', [[first.id, again.id]])).toBe(2);
    // The duplicate copy of `first` made no task; `again` made one, which the worker finds already shipped.
    const tasks = await sql.query<{ causation: string }>(`SELECT envelope->>'causationId' AS causation FROM outbox WHERE destination = 'rabbitmq' AND envelope->'data'->>'orderId' = $1`, [order.orderId]);
    expect(tasks.rows.map((row) => row.causation).sort()).toEqual([first.id, again.id].sort());
    await eventually('the worker found the repeated task already shipped', async () =>
      metricSum(await worker.metrics(), 'shop_shipments_total', { outcome: 'already-shipped' }) >= 1 ? true : undefined, 30_000);
    await eventually('every task acknowledged', async () => {
      const depths = await queueDepths(rabbit, topology);
      return depths.queue === 0 && depths.retry === 0 ? depths : undefined;
    });

    expect(await shipmentsOf(order.orderId)).toBe(1);
    const ids = await ownShippedIds(order.orderId);
    expect(ids).toHaveLength(1);
    await eventually('the shipped event on Kafka', async () => (shippedOnKafka(ids).length > 0 ? true : undefined), 30_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(shippedOnKafka(ids)).toHaveLength(1);
    expect((await queueDepths(rabbit, topology)).dead).toBe(0);
  });

  it('ignores the other order events', async () => {
    const order = orderData();
    const placed = envelope('order.placed.v1', { ...order, sagaStyle: 'choreography', deadline: new Date().toISOString() }, { correlationId: order.orderId });
    const marker = confirmed(orderData());
    await publish(placed);
    await publish(marker);
    await eventually('a later event handled', async () => ((await shipmentsOf((marker.data as OrderConfirmedV1Data).orderId)) === 1 ? true : undefined), 30_000);
    expect(await count('SELECT count(*)::int AS n FROM inbox WHERE message_id = $1', [placed.id])).toBe(0);
    expect(await shipmentsOf(order.orderId)).toBe(0);
  });

  it('answers 404 for an order without a shipment and 400 for an id that is not a UUID', async () => {
    const missing = await fetch(`${baseUrl}/shipments/${randomUUID()}`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ statusCode: 404, error: 'Not Found' });
    const bad = await fetch(`${baseUrl}/shipments/not-a-uuid`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toContain('order id');
  });

  it('reports the work queue and its consumer group in readiness', async () => {
    const fromApp = (await (await fetch(`${baseUrl}/health/ready`)).json()) as { checks: Record<string, { status: string }> };
    expect(fromApp.checks).toMatchObject({
      database: { status: 'up' },
      kafka: { status: 'up' },
      rabbitmq: { status: 'up' },
      'shipping-queue': { status: 'up' },
      'kafka-consumers': { status: 'up' },
    });
    const fromWorker = (await (await fetch(`http://127.0.0.1:${worker.port}/health/ready`)).json()) as { checks: Record<string, { status: string }> };
    expect(fromWorker.checks).toMatchObject({ 'work-queue': { status: 'up' }, 'shipping-queue': { status: 'up' }, database: { status: 'up' } });
  });
});
