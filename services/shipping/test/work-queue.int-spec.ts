import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { type Envelope, HEADERS, SHIPPING_SHIPPED_V1 } from '@shop/contracts';
import { RabbitMqConnection } from '@shop/messaging';
import { runMigrations } from '@shop/platform';
import { createTestDatabase, eventually, freePort, kafkaBrokers, rabbitmqUrl } from '@shop/testing';
import { shippingQueueTopology } from '../src/infrastructure/messaging/shipping-queue.topology';
import { shippingDatabase } from '../src/infrastructure/persistence/database';
import {
  assertWorkerBuilt,
  createShipmentTask,
  deleteTopology,
  metricSum,
  orderData,
  publishTasks,
  queueDepths,
  specPrefix,
  startWorker,
  type WorkerProcess,
} from './shipping-fixture';

const MAX_ATTEMPTS = 3;

/**
 * The message queue with competing worker processes: `node services/shipping/dist/worker.js` twice, on a real
 * RabbitMQ work queue of the spec's own (SHIPPING_QUEUE_PREFIX) and a real PostgreSQL database.
 */
describe('shipping work queue with two competing worker processes', () => {
  const prefix = specPrefix('workers');
  const topology = shippingQueueTopology(prefix);
  let database: { url: string; drop: () => Promise<void> };
  let env: Record<string, string>;
  let rabbit: RabbitMqConnection;
  let sql: Client;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    assertWorkerBuilt();
    database = await createTestDatabase('shipping_workers');
    await runMigrations(shippingDatabase(database.url));
    env = {
      SHIPPING_DATABASE_URL: database.url,
      KAFKA_BROKERS: (await kafkaBrokers()).join(','),
      RABBITMQ_URL: await rabbitmqUrl(),
      SHIPPING_QUEUE_PREFIX: prefix,
      SHIPPING_WORKER_PREFETCH: '10',
      SHIPPING_RETRY_DELAY_MS: '200',
      SHIPPING_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
    };
    const [portOne, portTwo] = [await freePort(), await freePort()];
    workers.push(...(await Promise.all([startWorker('one', portOne, env), startWorker('two', portTwo, env)])));
    rabbit = new RabbitMqConnection(env.RABBITMQ_URL);
    sql = new Client({ connectionString: database.url });
    await sql.connect();
  });

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    if (rabbit) {
      await deleteTopology(rabbit, topology).catch(() => undefined);
      await rabbit.close();
    }
    await sql?.end();
    await database?.drop();
  });

  const count = async (query: string, params: unknown[] = []): Promise<number> => (await sql.query<{ n: number }>(query, params)).rows[0].n;
  const shippedAmong = (orderIds: readonly string[]): Promise<number> =>
    count('SELECT count(*)::int AS n FROM shipments WHERE order_id = ANY($1::uuid[])', [orderIds]);

  /** 200 orders as tasks, plus 20 tasks repeating an order under a new message id and 10 exact copies. */
  function batchOfTasks(): { orderIds: string[]; tasks: Envelope[] } {
    const originals = Array.from({ length: 200 }, () => createShipmentTask(orderData()));
    const repeated = originals.slice(0, 20).map((task) => createShipmentTask(task.data as Record<string, unknown>));
    const copies = originals.slice(100, 110);
    const tasks = [...originals, ...repeated, ...copies].sort(() => Math.random() - 0.5);
    return { orderIds: originals.map((task) => (task.data as { orderId: string }).orderId), tasks };
  }

  async function expectEachShippedOnce(orderIds: readonly string[]): Promise<void> {
    const rows = await sql.query<{ rows: number; orders: number }>(
      'SELECT count(*)::int AS rows, count(DISTINCT order_id)::int AS orders FROM shipments WHERE order_id = ANY($1::uuid[])',
      [orderIds],
    );
    expect(rows.rows[0]).toEqual({ rows: orderIds.length, orders: orderIds.length });
    // Exactly one shipping.shipped.v1 per shipment, none for the repeated tasks.
    const events = await sql.query<{ orders: number; events: number }>(
      `SELECT count(DISTINCT message_key)::int AS orders, count(*)::int AS events FROM outbox
        WHERE envelope->>'type' = $1 AND message_key = ANY($2::text[])`,
      [SHIPPING_SHIPPED_V1, orderIds],
    );
    expect(events.rows[0]).toEqual({ orders: orderIds.length, events: orderIds.length });
  }

  it('ships 200 orders exactly once from 230 tasks (with duplicates), and both workers take part', async () => {
    const { orderIds, tasks } = batchOfTasks();
    await publishTasks(rabbit, topology, tasks);

    await eventually('200 shipments', async () => ((await shippedAmong(orderIds)) === 200 ? true : undefined), 60_000);
    await eventually(
      'all 230 tasks acknowledged',
      async () => {
        const metrics = await Promise.all(workers.map((worker) => worker.metrics()));
        const done = metrics.reduce((sum, text) => sum + metricSum(text, 'shop_queue_tasks_total', { outcome: 'done' }), 0);
        return done === tasks.length ? metrics : undefined;
      },
      30_000,
    ).then((metrics) => {
      const created = metrics.map((text) => metricSum(text, 'shop_shipments_total', { outcome: 'created' }));
      const alreadyShipped = metrics.map((text) => metricSum(text, 'shop_shipments_total', { outcome: 'already-shipped' }));
      expect(created.every((n) => n > 0)).toBe(true);
      expect(created[0] + created[1]).toBe(200);
      expect(alreadyShipped[0] + alreadyShipped[1]).toBe(30);
    });
    await expectEachShippedOnce(orderIds);
    expect(await queueDepths(rabbit, topology)).toEqual({ queue: 0, retry: 0, dead: 0 });
    await eventually('the outbox relay published every shipped event', async () =>
      (await count(`SELECT count(*)::int AS n FROM outbox WHERE sent_at IS NULL`)) === 0 ? true : undefined, 30_000);
  });

  it('loses no task and ships none twice when a worker is killed with SIGKILL mid-batch and restarted', async () => {
    const { orderIds, tasks } = batchOfTasks();
    // Published in slices, so the batch is still being worked on when the worker dies.
    const publishing = (async () => {
      for (let i = 0; i < tasks.length; i += 23) {
        await publishTasks(rabbit, topology, tasks.slice(i, i + 23));
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    await eventually('the batch under way', async () => ((await shippedAmong(orderIds)) >= 30 ? true : undefined), 30_000, 10);
    const [victim] = workers.splice(0, 1);
    await victim.kill();
    const shippedAtKill = await shippedAmong(orderIds);
    expect(victim.child.signalCode).toBe('SIGKILL');
    expect(shippedAtKill).toBeLessThan(200);

    workers.push(await startWorker('one-restarted', await freePort(), env));
    await publishing;
    await eventually('200 shipments after the restart', async () => ((await shippedAmong(orderIds)) === 200 ? true : undefined), 60_000);
    await eventually('every task taken off the queues', async () => {
      const depths = await queueDepths(rabbit, topology);
      return depths.queue === 0 && depths.retry === 0 ? true : undefined;
    });
    // Give any task the dead worker held time to come back and be found already shipped.
    await new Promise((r) => setTimeout(r, 1_000));
    await expectEachShippedOnce(orderIds);
    expect(await queueDepths(rabbit, topology)).toEqual({ queue: 0, retry: 0, dead: 0 });
    expect(await count('SELECT count(*)::int AS n FROM shipments')).toBe(400);
  });

  it('parks a task that breaks its contract, or asks for a shipment no rule allows, at once, while the other tasks flow', async () => {
    const poison = createShipmentTask({ orderId: 'not-a-uuid', userId: randomUUID(), items: [] });
    const noItems = createShipmentTask({ ...orderData(), items: [] });
    const good = Array.from({ length: 20 }, () => createShipmentTask(orderData()));
    const orderIds = good.map((task) => (task.data as { orderId: string }).orderId);
    await publishTasks(rabbit, topology, [poison, ...good.slice(0, 10), noItems, ...good.slice(10)]);

    await eventually('the good tasks shipped', async () => ((await shippedAmong(orderIds)) === 20 ? true : undefined), 30_000);
    await eventually('both bad tasks dead-lettered', async () => ((await queueDepths(rabbit, topology)).dead === 2 ? true : undefined), 30_000);
    const channel = await (await rabbit.connect()).createChannel();
    try {
      const parked = new Map<string, { attempts: unknown; error: string }>();
      for (let i = 0; i < 2; i++) {
        const message = await channel.get(topology.deadLetterQueue, { noAck: true });
        if (!message) throw new Error('dead-letter queue emptied too early');
        const headers = message.properties.headers ?? {};
        parked.set((JSON.parse(message.content.toString()) as Envelope).id, { attempts: headers[HEADERS.attempts], error: String(headers[HEADERS.error]) });
      }
      // No retry can mend either (both fail with category `invalid`), so neither waits out SHIPPING_MAX_ATTEMPTS.
      expect(parked.get(poison.id)).toEqual({ attempts: 1, error: expect.stringContaining('orderId') });
      expect(parked.get(noItems.id)).toEqual({ attempts: 1, error: expect.stringContaining('no items') });
    } finally {
      await channel.close();
    }
    expect(await queueDepths(rabbit, topology)).toEqual({ queue: 0, retry: 0, dead: 0 });
    await expectEachShippedOnce(orderIds);
    expect(await count(`SELECT count(*)::int AS n FROM shipments WHERE order_id::text = $1`, [(noItems.data as { orderId: string }).orderId])).toBe(0);
  });
});
