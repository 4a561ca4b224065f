// npm run bench:messaging — the Kafka side of the messaging backbone, in one run, on loopback:
//   1. standalone database transactions/s doing the consumer's work (inbox insert + one counter update), the base;
//   2. raw kafkajs batch consumption of N messages (no work);
//   3. one consumer group through KafkaConsumers + inbox + the same database work (what every service does);
//   4. outbox publish lag p50/p99 under a steady load: from the insert's commit to the broker's acknowledgement of the
//      record (what the relay controls, and what its shop_outbox_publish_lag_seconds histogram records), and, beside
//      it, from the commit to a consumer group receiving the record (adds the consumer's fetch).
// Uses the built libraries (npx tsc -b libs/messaging) and a temporary database; needs `npm run kafka:local`.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT, scratchDatabase } from './lib.mjs';

const require = createRequire(import.meta.url);
const messaging = require(resolve(ROOT, 'libs/messaging/dist/index.js'));
const platform = require(resolve(ROOT, 'libs/platform/dist/index.js'));
const { DataSource } = require('typeorm');

const N = Number(process.env.BENCH_MESSAGES ?? 5000);
const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const logger = platform.createLogger('bench-messaging', 'silent');
const pct = (v, p) => [...v].sort((a, b) => a - b)[Math.min(v.length - 1, Math.floor((p / 100) * v.length))];

const database = await scratchDatabase('bench_messaging');
const url = database.url;
class Schema1700000000000 {
  name = 'Schema1700000000000';
  async up(q) {
    await messaging.createOutboxTableV1(q);
    await messaging.createInboxTableV1(q);
    await q.query(`CREATE TABLE counters (key text PRIMARY KEY, n bigint NOT NULL)`);
  }
  async down() {}
}
await platform.runMigrations({ url, applicationName: 'bench', migrations: [Schema1700000000000] });
const dataSource = new DataSource({ type: 'postgres', url, extra: { max: 4 } });
await dataSource.initialize();
const work = (manager, message) =>
  manager.query(`INSERT INTO counters (key, n) VALUES ($1, 1) ON CONFLICT (key) DO UPDATE SET n = counters.n + 1`, [String(message.data.k % 50)]);

try {
  // 1. the database alone, one transaction per message, as the consumer does
  let started = performance.now();
  for (let i = 0; i < N; i++) {
    const message = { id: randomUUID(), type: 'bench.v1', data: { k: i } };
    await messaging.handleOnce(dataSource, 'db-only', message, (m) => work(m, message));
  }
  const dbRate = N / ((performance.now() - started) / 1000);

  // Produce N messages to a fresh topic.
  const kafka = messaging.createKafka({ clientId: 'bench-messaging', brokers: BROKERS });
  const topic = `bench-messaging-${randomUUID()}`;
  const kadmin = kafka.admin();
  await kadmin.connect();
  await kadmin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
  await kadmin.disconnect();
  const publisher = new messaging.KafkaPublisher(kafka);
  for (let i = 0; i < N; i += 500) {
    await publisher.publish(
      Array.from({ length: Math.min(500, N - i) }, (_, j) => {
        const envelope = messaging.envelope('bench.v1', { k: i + j }, { correlationId: 'bench' });
        return { topic, key: String((i + j) % 50), value: JSON.stringify(envelope), headers: {} };
      }),
    );
  }

  // 2. raw kafkajs batch consumption
  const raw = kafka.consumer({ groupId: `bench-raw-${randomUUID()}` });
  await raw.connect();
  await raw.subscribe({ topics: [topic], fromBeginning: true });
  let rawCount = 0;
  let rawStart = 0;
  const rawDone = new Promise((done) =>
    raw.run({
      eachBatch: async ({ batch }) => {
        rawStart ||= performance.now();
        rawCount += batch.messages.length;
        if (rawCount >= N) done();
      },
    }),
  );
  await rawDone;
  const rawRate = N / ((performance.now() - rawStart) / 1000);
  await raw.disconnect();

  // 3. a consumer group through KafkaConsumers with inbox + database work
  const consumers = new messaging.KafkaConsumers(kafka, new platform.HealthRegistry(), logger);
  let handled = 0;
  let groupStart = 0;
  let groupEnd = 0;
  consumers.subscribe({
    groupId: `bench-group-${randomUUID()}`,
    topics: [topic],
    handle: async (message) => {
      groupStart ||= performance.now();
      await messaging.handleOnce(dataSource, 'bench-group', message, (m) => work(m, message));
      if (++handled === N) groupEnd = performance.now();
    },
  });
  consumers.onApplicationBootstrap();
  while (!groupEnd) await sleep(50);
  const groupRate = N / ((groupEnd - groupStart) / 1000);
  await consumers.beforeApplicationShutdown();

  // 4. outbox publish lag under a steady load (200 events/s for 5 s)
  const lagTopic = `bench-outbox-${randomUUID()}`;
  const ackedAt = new Map();
  /** The relay's publisher, noting when the broker acknowledged each record. */
  class TimedPublisher extends messaging.KafkaPublisher {
    async publish(records, timeoutMs) {
      await super.publish(records, timeoutMs);
      const now = performance.now();
      for (const record of records) ackedAt.set(JSON.parse(record.value).id, now);
    }
  }
  const relay = new messaging.OutboxRelay(dataSource, { kafka: new TimedPublisher(kafka) }, logger, { service: 'bench' });
  const committedAt = new Map();
  const receivedAt = new Map();
  const reader = kafka.consumer({ groupId: `bench-lag-${randomUUID()}` });
  const kadmin2 = kafka.admin();
  await kadmin2.connect();
  await kadmin2.createTopics({ topics: [{ topic: lagTopic, numPartitions: 3 }], waitForLeaders: true });
  await kadmin2.disconnect();
  await reader.connect();
  await reader.subscribe({ topics: [lagTopic], fromBeginning: true });
  await reader.run({
    eachMessage: async ({ message }) => {
      // The lags are worked out at the end: the producer's acknowledgement and this fetch are answers on two
      // connections, and either may be handled first.
      receivedAt.set(JSON.parse(message.value.toString()).id, performance.now());
    },
  });
  relay.start();
  await sleep(2000);
  const total = 1000;
  const lagStart = performance.now();
  for (let i = 0; i < total; i++) {
    const due = lagStart + i * 5;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const envelope = messaging.envelope('bench.v1', { k: i }, { correlationId: 'bench' });
    await dataSource.transaction((m) => messaging.addToOutbox(m, [messaging.kafkaMessage(lagTopic, String(i % 50), envelope)]));
    committedAt.set(envelope.id, performance.now());
  }
  while (receivedAt.size < total && performance.now() - lagStart < 30_000) await sleep(50);
  const ids = [...committedAt.keys()];
  const lags = ids.filter((id) => receivedAt.has(id)).map((id) => Math.max(0, receivedAt.get(id) - committedAt.get(id)));
  // The commit's timestamp is taken when the transaction's promise resolves, which can be after the relay, woken by
  // the commit's notification, already sent (or a consumer received) the record: such a record counts as at once.
  const publishLags = ids.filter((id) => ackedAt.has(id)).map((id) => Math.max(0, ackedAt.get(id) - committedAt.get(id)));
  await relay.stop();
  await reader.disconnect();
  await publisher.close();

  console.log(`messages: ${N}`);
  console.log(`${'database transactions/s (inbox + update), the base'.padEnd(56)}${dbRate.toFixed(0).padStart(10)}   1.00x`);
  console.log(`${'raw kafkajs batch consumption, messages/s'.padEnd(56)}${rawRate.toFixed(0).padStart(10)}   ${(rawRate / dbRate).toFixed(2)}x`);
  console.log(`${'consumer group + inbox + database work, messages/s'.padEnd(56)}${groupRate.toFixed(0).padStart(10)}   ${(groupRate / dbRate).toFixed(2)}x   (target >= 0.80x)`);
  const p50p99 = (values) => `${pct(values, 50).toFixed(1)} / ${pct(values, 99).toFixed(1)}`.padStart(10);
  console.log(`${'outbox publish lag at 200 events/s, p50 / p99 (ms)'.padEnd(56)}${p50p99(publishLags)}   (commit -> broker ack; target p99 <= 50 ms)`);
  console.log(`${'  the same records, commit -> received by a consumer'.padEnd(56)}${p50p99(lags)}   (${lags.length}/${total} seen)`);
} finally {
  await dataSource.destroy();
  await database.drop();
}
process.exit(0);
