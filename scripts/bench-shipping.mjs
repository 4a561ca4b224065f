// Benchmark of the shipping work queue (pattern 6, message queue). Not a test: it prints figures.
// Against the local RabbitMQ and a fresh temporary PostgreSQL database (created, migrated with the built
// migrations, dropped at the end), in one run:
//   raw        messages/s consumed by a bare amqplib consumer with auto-ack (no acks, no work): the ceiling
//   shipments  shipments/s through the real worker path: the built CreateShipmentConsumer on a WorkQueueConsumer
//              (manual acks, batched into one multiple ack per committed burst, never before a task's own commit),
//              task validation, the CreateShipmentHandler, and the group-committed INSERT of shipments +
//              shipping.shipped.v1 outbox rows; once with the worker's
//              default prefetch (10) and once with BENCH_PREFETCH. Both queues are filled before timing starts.
//   confirms   messages/s published with publisher confirms, all in flight then one wait (as the outbox relay
//              does) versus waiting for each message's confirm before sending the next
// and prints the ratios: shipments / raw (target >= 0.6), in flight / one by one (target >= 10).
// Usage: npx tsc -b services/shipping && node scripts/bench-shipping.mjs
// Tuning (environment): BENCH_POSTGRES_URL (admin URL), BENCH_RABBITMQ_URL, BENCH_TASKS (20000),
// BENCH_PREFETCH (1000), BENCH_CONFIRM_MESSAGES (3000), BENCH_ROUNDS (3: each figure is the median of the rounds,
// raw and worker runs interleaved, because other load on the machine moves single runs a lot).
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { ADMIN_POSTGRES_URL, positiveIntEnv, ROOT, scratchDatabase } from './lib.mjs';

const DIST = resolve(ROOT, 'services/shipping/dist');
const require = createRequire(import.meta.url);

const RABBITMQ_URL = process.env.BENCH_RABBITMQ_URL ?? process.env.TEST_RABBITMQ_URL ?? process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const TASKS = positiveIntEnv('BENCH_TASKS', 20_000);
const PREFETCH = positiveIntEnv('BENCH_PREFETCH', 1_000);
const CONFIRM_MESSAGES = positiveIntEnv('BENCH_CONFIRM_MESSAGES', 3_000);
const ROUNDS = positiveIntEnv('BENCH_ROUNDS', 3);

if (!existsSync(resolve(DIST, 'api/messaging/create-shipment.consumer.js'))) {
  console.error('services/shipping/dist is missing or old: build it first with `npx tsc -b services/shipping`.');
  process.exit(1);
}

const amqp = require('amqplib');
const { createDataSource, createLogger, HealthRegistry, runMigrations } = require('@shop/platform');
const { envelope, RabbitMqConnection, RabbitMqPublisher, assertWorkQueue } = require('@shop/messaging');
const { CREATE_SHIPMENT_V1 } = require('@shop/contracts');
const { loadShippingConfig } = require(resolve(DIST, 'config/shipping.config.js'));
const { shippingDatabase } = require(resolve(DIST, 'infrastructure/persistence/database.js'));
const { SqlShipmentRepository } = require(resolve(DIST, 'infrastructure/persistence/shipment.repository.js'));
const { shippingQueueTopology } = require(resolve(DIST, 'infrastructure/messaging/shipping-queue.topology.js'));
const { CreateShipmentHandler } = require(resolve(DIST, 'application/commands/create-shipment.command.js'));
const { CreateShipmentConsumer } = require(resolve(DIST, 'api/messaging/create-shipment.consumer.js'));

const RETRY_DELAY_MS = 2_000;
const logger = createLogger('bench-shipping', 'warn');
const perSecond = (count, seconds) => Math.round(count / seconds);
const fmt = (n) => n.toLocaleString('en-US');

const task = () => {
  const orderId = randomUUID();
  return envelope(
    CREATE_SHIPMENT_V1,
    {
      orderId,
      userId: randomUUID(),
      items: [
        { productId: randomUUID(), quantity: 2, unitPriceCents: 1250 },
        { productId: randomUUID(), quantity: 1, unitPriceCents: 899 },
      ],
    },
    { correlationId: orderId },
  );
};
const records = (topology, tasks) =>
  tasks.map((t) => ({ exchange: topology.exchange, routingKey: topology.routingKey, messageId: t.id, type: t.type, body: JSON.stringify(t), headers: {} }));

/** Fills the work queue of `topology` with `count` tasks, with confirms, in slices. */
async function fill(connection, topology, count) {
  const publisher = new RabbitMqPublisher(connection);
  for (let i = 0; i < count; i += 2_000) await publisher.publish(records(topology, Array.from({ length: Math.min(2_000, count - i) }, task)), 60_000);
}

async function deleteTopology(channel, topology) {
  for (const queue of [topology.queue, topology.retryQueue, topology.deadLetterQueue]) await channel.deleteQueue(queue);
  for (const exchange of [topology.exchange, topology.retryExchange]) await channel.deleteExchange(exchange);
}

/** The ceiling: a bare consumer, auto-ack, doing nothing with the messages. */
async function rawAutoAck(connection, channel) {
  const topology = shippingQueueTopology(`bench-raw-${randomUUID().slice(0, 8)}.`);
  await assertWorkQueue(channel, topology, RETRY_DELAY_MS);
  await fill(connection, topology, TASKS);
  const model = await amqp.connect(RABBITMQ_URL);
  const consumer = await model.createChannel();
  let received = 0;
  const started = performance.now();
  await new Promise((done) => {
    void consumer.consume(topology.queue, () => {
      if (++received === TASKS) done();
    }, { noAck: true });
  });
  const seconds = (performance.now() - started) / 1000;
  await model.close();
  await deleteTopology(channel, topology);
  return perSecond(TASKS, seconds);
}

/** The real worker path, from a filled queue to every shipment committed (and its task acked). */
async function shipments(connection, channel, database, prefetch) {
  const prefix = `bench-ship-${randomUUID().slice(0, 8)}.`;
  const config = loadShippingConfig({
    SHIPPING_DATABASE_URL: database.url,
    KAFKA_BROKERS: '127.0.0.1:9092',
    RABBITMQ_URL,
    SHIPPING_QUEUE_PREFIX: prefix,
    SHIPPING_WORKER_PREFETCH: String(prefetch),
    SHIPPING_RETRY_DELAY_MS: String(RETRY_DELAY_MS),
  });
  const topology = shippingQueueTopology(prefix);
  await assertWorkQueue(channel, topology, RETRY_DELAY_MS);
  await fill(connection, topology, TASKS);

  const dataSource = createDataSource(shippingDatabase(database.url));
  await dataSource.initialize();
  const repository = new SqlShipmentRepository(dataSource);
  let created = 0;
  let allDone;
  const finished = new Promise((resolve) => (allDone = resolve));
  const counting = {
    createOnce: async (shipment, cause) => {
      const outcome = await repository.createOnce(shipment, cause);
      if (outcome === 'created' && ++created === TASKS) allDone();
      return outcome;
    },
    findByOrderId: (orderId) => repository.findByOrderId(orderId),
  };
  const worker = new CreateShipmentConsumer(connection, topology, config, new CreateShipmentHandler(counting), new HealthRegistry(), logger);
  const started = performance.now();
  worker.onApplicationBootstrap();
  await finished;
  const seconds = (performance.now() - started) / 1000;
  await worker.beforeApplicationShutdown();
  const [{ rows, events }] = await dataSource.query(
    `SELECT (SELECT count(*)::int FROM shipments) AS rows, (SELECT count(*)::int FROM outbox WHERE envelope->>'type' = 'shipping.shipped.v1') AS events`,
  );
  if (rows !== TASKS || events !== TASKS) throw new Error(`expected ${TASKS} shipments and events, found ${rows} and ${events}`);
  await dataSource.query('TRUNCATE shipments, outbox');
  await dataSource.destroy();
  const { messageCount, consumerCount } = await channel.checkQueue(topology.queue);
  if (messageCount !== 0 || consumerCount !== 0) throw new Error('the work queue was not drained');
  await deleteTopology(channel, topology);
  return perSecond(TASKS, seconds);
}

/** Publisher confirms: all in flight then one wait, versus one wait per message. */
async function confirms(connection, channel) {
  const topology = shippingQueueTopology(`bench-confirm-${randomUUID().slice(0, 8)}.`);
  await assertWorkQueue(channel, topology, RETRY_DELAY_MS);
  const publisher = new RabbitMqPublisher(connection);
  const batch = records(topology, Array.from({ length: CONFIRM_MESSAGES }, task));
  await publisher.publish(batch.slice(0, 100)); // opens the confirm channel outside the timing
  let started = performance.now();
  await publisher.publish(batch, 60_000);
  const inFlight = perSecond(CONFIRM_MESSAGES, (performance.now() - started) / 1000);
  started = performance.now();
  for (const record of batch) await publisher.publish([record]);
  const oneByOne = perSecond(CONFIRM_MESSAGES, (performance.now() - started) / 1000);
  await deleteTopology(channel, topology);
  return { inFlight, oneByOne };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const database = await scratchDatabase('bench_shipping');
const connection = new RabbitMqConnection(RABBITMQ_URL);
try {
  await runMigrations(shippingDatabase(database.url));
  const model = await connection.connect();
  const channel = await model.createChannel();
  console.log(
    `shipping work queue benchmark: ${fmt(TASKS)} tasks per run, 2-item orders, median of ${ROUNDS} interleaved rounds, ` +
      `RabbitMQ ${new URL(RABBITMQ_URL).host}, PostgreSQL ${new URL(ADMIN_POSTGRES_URL).host}`,
  );
  const atDefault = await shipments(connection, channel, database, 10);
  const raws = [];
  const ships = [];
  const inFlights = [];
  const oneByOnes = [];
  for (let round = 0; round < ROUNDS; round++) {
    raws.push(await rawAutoAck(connection, channel));
    ships.push(await shipments(connection, channel, database, PREFETCH));
    const { inFlight, oneByOne } = await confirms(connection, channel);
    inFlights.push(inFlight);
    oneByOnes.push(oneByOne);
  }
  await channel.close();
  const [raw, atPrefetch, inFlight, oneByOne] = [median(raws), median(ships), median(inFlights), median(oneByOnes)];
  const rows = [
    ['raw amqplib consumer, auto-ack, no work', `${fmt(raw)} msg/s`, `1.00x (baseline; rounds ${raws.map(fmt).join(', ')})`],
    ['shipments, manual acks + DB, prefetch 10', `${fmt(atDefault)} shipments/s`, `${(atDefault / raw).toFixed(2)}x of raw (one round)`],
    [
      `shipments, manual acks + DB, prefetch ${fmt(PREFETCH)}`,
      `${fmt(atPrefetch)} shipments/s`,
      `${(atPrefetch / raw).toFixed(2)}x of raw (target >= 0.60x; rounds ${ships.map(fmt).join(', ')})`,
    ],
    [`publish ${fmt(CONFIRM_MESSAGES)}, waiting for each confirm`, `${fmt(oneByOne)} msg/s`, '1.00x (baseline)'],
    [`publish ${fmt(CONFIRM_MESSAGES)}, all confirms in flight`, `${fmt(inFlight)} msg/s`, `${(inFlight / oneByOne).toFixed(1)}x of one by one (target >= 10x)`],
  ];
  const width = Math.max(...rows.map((row) => row[0].length));
  const widthB = Math.max(...rows.map((row) => row[1].length));
  for (const [what, rate, ratio] of rows) console.log(`  ${what.padEnd(width)}  ${rate.padStart(widthB)}  ${ratio}`);
} finally {
  await connection.close();
  await database.drop();
}
