import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { type Kafka } from 'kafkajs';
import { register } from 'prom-client';
import { DataSource, type MigrationInterface, type QueryRunner } from 'typeorm';
import { createLogger, runMigrations } from '@shop/platform';
import { createTestDatabase, ensureTopics, eventually, kafkaBrokers } from '@shop/testing';
import { envelope } from '../envelope';
import { createKafka } from '../kafka/kafka.module';
import { KafkaPublisher } from '../kafka/kafka-publisher';
import { addToOutbox, kafkaMessage, OUTBOX_MAX_MESSAGE_BYTES } from './outbox';
import { OutboxRelay } from './outbox-relay';
import { createInboxTableV1, createOutboxTableV1 } from './outbox.schema';

class Schema1700000000000 implements MigrationInterface {
  name = 'Schema1700000000000';
  async up(queryRunner: QueryRunner): Promise<void> {
    await createOutboxTableV1(queryRunner);
    await createInboxTableV1(queryRunner);
    await queryRunner.query(`CREATE TABLE things (id uuid PRIMARY KEY, name text NOT NULL)`);
  }
  async down(): Promise<void> {}
}

const logger = createLogger('outbox-spec', 'silent');
const root = resolve(__dirname, '../../../..');

async function createTopic(kafka: Kafka, topic: string): Promise<string> {
  await ensureTopics(kafka, [topic]);
  return topic;
}

/** Reads every record of `topic` from the beginning until `count` have arrived. */
async function readTopic(kafka: Kafka, topic: string, count: number, timeoutMs = 20_000): Promise<Array<{ key: string; type: string; id: string; thing: string }>> {
  const consumer = kafka.consumer({ groupId: `outbox-spec-${randomUUID()}` });
  const seen: Array<{ key: string; type: string; id: string; thing: string }> = [];
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const value = JSON.parse(message.value?.toString() ?? '{}');
        seen.push({ key: message.key?.toString() ?? '', type: value.type, id: value.id, thing: value.data?.id });
      },
    });
    return await eventually(`${count} records on ${topic}`, async () => (seen.length >= count ? seen : undefined), timeoutMs);
  } finally {
    await consumer.disconnect();
  }
}

/** The relay rounds of one service so far, by outcome (shop_outbox_relay_rounds_total). */
async function roundsOf(service: string): Promise<Record<'sent' | 'empty' | 'locked', number>> {
  const counter = register.getSingleMetric('shop_outbox_relay_rounds_total');
  const values = counter ? (await counter.get()).values : [];
  const of = (outcome: string): number => values.find((value) => value.labels.service === service && value.labels.outcome === outcome)?.value ?? 0;
  return { sent: of('sent'), empty: of('empty'), locked: of('locked') };
}

/** Writes a thing and its event, keyed by the thing's id unless `key` is given; returns the thing's id. */
async function writeThing(dataSource: DataSource, topic: string, key?: string): Promise<string> {
  const id = randomUUID();
  await dataSource.transaction(async (manager) => {
    await manager.query(`INSERT INTO things (id, name) VALUES ($1, 'thing')`, [id]);
    await addToOutbox(manager, [kafkaMessage(topic, key ?? id, envelope('thing.created.v1', { id }, { correlationId: id }))]);
  });
  return id;
}

/** Outbox rows not yet sent for the thing `thingId` (writeThing's event carries it in its data). */
async function unsentOf(dataSource: DataSource, thingId: string): Promise<number> {
  const [{ unsent }] = await dataSource.query(`SELECT count(*)::int AS unsent FROM outbox WHERE sent_at IS NULL AND envelope->'data'->>'id' = $1`, [thingId]);
  return unsent;
}

/**
 * A publisher that holds every batch until `letGo()` is called (after that, batches pass at once): the relay round
 * publishing through it stays open meanwhile. `inPublish` resolves when the first batch arrives.
 */
function heldPublisher(kafka: Kafka): { publisher: KafkaPublisher; inPublish: Promise<void>; letGo: () => void } {
  let entered: () => void = () => undefined;
  const inPublish = new Promise<void>((resolve) => (entered = resolve));
  let letGo: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (letGo = resolve));
  class HeldPublisher extends KafkaPublisher {
    override async publish(records: Parameters<KafkaPublisher['publish']>[0], timeoutMs?: number): Promise<void> {
      entered();
      await gate;
      return super.publish(records, timeoutMs);
    }
  }
  return { publisher: new HeldPublisher(kafka), inPublish, letGo };
}

describe('transactional outbox', () => {
  let database: { url: string; drop: () => Promise<void> };
  let dataSource: DataSource;
  let kafka: Kafka;

  beforeAll(async () => {
    database = await createTestDatabase('outbox');
    await runMigrations({ url: database.url, applicationName: 'outbox-spec', migrations: [Schema1700000000000] });
    dataSource = new DataSource({ type: 'postgres', url: database.url });
    await dataSource.initialize();
    kafka = createKafka({ clientId: 'outbox-spec', brokers: await kafkaBrokers() });
  });

  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
  });

  it('writes nothing to the outbox when the state change rolls back', async () => {
    const topic = `outbox-spec.${randomUUID()}`;
    await expect(
      dataSource.transaction(async (manager) => {
        await addToOutbox(manager, [kafkaMessage(topic, 'k', envelope('thing.created.v1', {}, { correlationId: 'c' }))]);
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM outbox WHERE topic = $1`, [topic]);
    expect(n).toBe(0);
  });

  it('stores the messages of one transaction in the order given, with their own headers', async () => {
    const topic = `outbox-spec.${randomUUID()}`;
    const key = randomUUID();
    const types = Array.from({ length: 300 }, (_, index) => `thing.step-${index}.v1`);
    await dataSource.transaction(async (manager) => {
      await addToOutbox(
        manager,
        types.map((type, index) => kafkaMessage(topic, key, envelope(type, { index }, { correlationId: key }), { 'x-step': String(index) })),
      );
    });
    const rows: Array<{ type: string; index: number; step: string; key: string; destination: string }> = await dataSource.query(
      `SELECT envelope->>'type' AS type, (envelope->'data'->>'index')::int AS index, headers->>'x-step' AS step,
              message_key AS key, destination
         FROM outbox WHERE topic = $1 ORDER BY position`,
      [topic],
    );
    expect(rows.map((row) => row.type)).toEqual(types);
    expect(rows.every((row, index) => row.index === index && row.step === String(index) && row.key === key && row.destination === 'kafka')).toBe(true);
  });

  it('refuses a message larger than the brokers take, and nothing of its transaction is written', async () => {
    const topic = `outbox-spec.${randomUUID()}`;
    const id = randomUUID();
    const write = dataSource.transaction(async (manager) => {
      await manager.query(`INSERT INTO things (id, name) VALUES ($1, 'thing')`, [id]);
      await addToOutbox(manager, [
        kafkaMessage(topic, id, envelope('thing.created.v1', { id }, { correlationId: id })),
        kafkaMessage(topic, id, envelope('thing.described.v1', { id, text: 'é'.repeat(OUTBOX_MAX_MESSAGE_BYTES / 2) }, { correlationId: id })),
      ]);
    });
    await expect(write).rejects.toMatchObject({ code: 'MESSAGE.TOO_LARGE', category: 'payload_too_large', details: { type: 'thing.described.v1' } });
    const [{ things }] = await dataSource.query(`SELECT count(*)::int AS things FROM things WHERE id = $1`, [id]);
    const [{ rows }] = await dataSource.query(`SELECT count(*)::int AS rows FROM outbox WHERE topic = $1`, [topic]);
    expect({ things, rows }).toEqual({ things: 0, rows: 0 });
  });

  it('publishes a backlog bigger than the broker takes in one request in rounds that fit, in order', async () => {
    const topic = await createTopic(kafka, `outbox-spec.${randomUUID()}`);
    const key = randomUUID();
    // 300 events of about 6 KB under one key, so one partition: a round of 200 would be a 1.2 MB record batch, more
    // than the broker's 1 MB message.max.bytes, which it would refuse whole (MESSAGE_TOO_LARGE) on every retry.
    const pad = 'x'.repeat(6_000);
    await dataSource.transaction(async (manager) => {
      await addToOutbox(manager, Array.from({ length: 300 }, (_, index) => kafkaMessage(topic, key, envelope('thing.created.v1', { id: `${index}`, pad }, { correlationId: key }))));
    });
    const relay = new OutboxRelay(dataSource, { kafka: new KafkaPublisher(kafka) }, logger, { service: 'spec-large', pollIntervalMs: 50 });
    relay.start();
    try {
      const records = await readTopic(kafka, topic, 300, 30_000);
      expect(records.map((record) => record.thing)).toEqual(Array.from({ length: 300 }, (_, index) => `${index}`));
      await eventually('outbox marked sent', async () => ((await relay.backlog()).unsent === 0 ? true : undefined));
    } finally {
      await relay.stop();
    }
  });

  it('publishes events that were committed while no relay ran (a crash between commit and publish loses nothing)', async () => {
    const topic = await createTopic(kafka, `outbox-spec.${randomUUID()}`);
    const ids = [await writeThing(dataSource, topic), await writeThing(dataSource, topic), await writeThing(dataSource, topic)];
    // The "crashed" process never published; a relay started later finds the rows still unsent.
    const relay = new OutboxRelay(dataSource, { kafka: new KafkaPublisher(kafka) }, logger, { service: 'spec', pollIntervalMs: 50 });
    relay.start();
    try {
      const records = await readTopic(kafka, topic, 3);
      expect(records.map((r) => r.key).sort()).toEqual([...ids].sort());
      await eventually('outbox marked sent', async () => ((await relay.backlog()).unsent === 0 ? true : undefined));
    } finally {
      await relay.stop();
    }
  });

  it('has one relay answer the notifications while another on the same database stands by and polls, and the standby take over when it stops', async () => {
    const topic = await createTopic(kafka, `outbox-spec.${randomUUID()}`);
    const service = `spec-${randomUUID().slice(0, 8)}`;
    const relays = [0, 1].map(() => new OutboxRelay(dataSource, { kafka: new KafkaPublisher(kafka) }, logger, { service, pollIntervalMs: 1_000 }));
    relays.forEach((relay) => relay.start());
    try {
      await eventually('one relay leads', async () => (relays.some((relay) => relay.role === 'active') ? true : undefined), 5_000);
      const before = await roundsOf(service);
      const ids: string[] = [];
      for (let index = 0; index < 60; index++) {
        ids.push(await writeThing(dataSource, topic));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const after = await roundsOf(service);
      // Only the leader answers the 60 commits' notifications; the standby polls once a second. With both answering,
      // about one round per commit would publish nothing.
      expect(after.locked - before.locked + (after.empty - before.empty)).toBeLessThan(15);
      expect((await readTopic(kafka, topic, 60)).map((record) => record.key).sort()).toEqual([...ids].sort());
      expect(relays.map((relay) => relay.role).sort()).toEqual(['active', 'standby']);

      // The leader stops: its connection, and the lock with it, goes; the standby takes over at its next poll.
      const active = relays.find((relay) => relay.role === 'active') as OutboxRelay;
      const standby = relays.find((relay) => relay.role === 'standby') as OutboxRelay;
      await active.stop();
      await eventually('the standby leads', async () => (standby.role === 'active' ? true : undefined), 5_000);
      const id = await writeThing(dataSource, topic);
      expect((await readTopic(kafka, topic, 61)).map((record) => record.key)).toContain(id);
    } finally {
      await Promise.all(relays.map((relay) => relay.stop()));
    }
  });

  it('does not skip a row whose transaction commits after a later one', async () => {
    const topic = await createTopic(kafka, `outbox-spec.${randomUUID()}`);
    const publisher = new KafkaPublisher(kafka);
    const relay = new OutboxRelay(dataSource, { kafka: publisher }, logger, { service: 'spec' });
    const slow = dataSource.createQueryRunner();
    await slow.connect();
    await slow.startTransaction();
    const earlyId = randomUUID();
    // Takes the lower position first, but commits last.
    await addToOutbox(slow.manager, [kafkaMessage(topic, earlyId, envelope('thing.created.v1', { id: earlyId }, { correlationId: earlyId }))]);
    const lateId = await writeThing(dataSource, topic);
    expect(await relay.drainOnce()).toBeGreaterThanOrEqual(1);
    await slow.commitTransaction();
    await slow.release();
    expect(await relay.drainOnce()).toBeGreaterThanOrEqual(1);
    const records = await readTopic(kafka, topic, 2);
    expect(records.map((r) => r.key).sort()).toEqual([earlyId, lateId].sort());
    await publisher.close();
  });

  it('lets one relay at a time run a round: another finds the lock taken and takes no row, even one committed meanwhile', async () => {
    const topic = await createTopic(kafka, `outbox-spec.${randomUUID()}`);
    // The first relay's publisher holds its batch until the spec lets it go, so that round stays open.
    const { publisher: held, inPublish, letGo } = heldPublisher(kafka);
    const publishers = [held, new KafkaPublisher(kafka)];
    const [first, second] = publishers.map((publisher) => new OutboxRelay(dataSource, { kafka: publisher }, logger, { service: 'spec' }));
    try {
      // One key, so one partition: the topic's order is the order of publishing.
      const key = randomUUID();
      const early = [await writeThing(dataSource, topic, key), await writeThing(dataSource, topic, key)];
      const firstRound = first.drainOnce();
      await inPublish;
      const late = await writeThing(dataSource, topic, key);
      // The late row is committed and unlocked, yet the second relay must not take it while the first is in its round:
      // publishing it now would put it on the topic ahead of rows the first round has not published yet.
      expect(await second.drainOnce()).toBe(0);
      expect(await unsentOf(dataSource, late)).toBe(1);
      letGo();
      expect(await firstRound).toBeGreaterThanOrEqual(2);
      expect(await second.drainOnce()).toBeGreaterThanOrEqual(1);
      expect((await readTopic(kafka, topic, 3)).map((record) => record.thing)).toEqual([...early, late]);
    } finally {
      letGo();
      await Promise.all(publishers.map((publisher) => publisher.close()));
    }
  });

  it('publishes a row committed while a round is publishing right after that round, without waiting for the poll', async () => {
    const topic = await createTopic(kafka, `outbox-spec.${randomUUID()}`);
    // The first publish waits until the spec lets it go, so the second row commits (and notifies) during that round.
    const { publisher, inPublish, letGo } = heldPublisher(kafka);
    // Its poll is a minute away: only a notification can have it publish the second row within the spec's time.
    const relay = new OutboxRelay(dataSource, { kafka: publisher }, logger, { service: 'spec', pollIntervalMs: 60_000 });
    relay.start();
    try {
      await eventually('the relay leads', async () => (relay.role === 'active' ? true : undefined), 5_000);
      const first = await writeThing(dataSource, topic);
      await inPublish;
      const second = await writeThing(dataSource, topic);
      letGo();
      expect((await readTopic(kafka, topic, 2, 10_000)).map((record) => record.thing).sort()).toEqual([first, second].sort());
    } finally {
      letGo();
      await relay.stop();
    }
  });

  it('leaves the rows of a round whose publish fails unsent, and gives its connection back outside any transaction', async () => {
    const topic = `outbox-spec.${randomUUID()}`;
    // No Kafka publisher at all: the round takes the row, then fails before anything is published.
    const relay = new OutboxRelay(dataSource, {}, logger, { service: 'spec' });
    const id = await writeThing(dataSource, topic);
    await expect(relay.drainOnce()).rejects.toThrow('no Kafka publisher');
    expect(await unsentOf(dataSource, id)).toBe(1);
    const [{ open }] = await dataSource.query(
      `SELECT count(*)::int AS open FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`,
    );
    expect(open).toBe(0);
    // The row is no one's: published by the next relay that can.
    const publisher = new KafkaPublisher(kafka);
    await createTopic(kafka, topic);
    expect(await new OutboxRelay(dataSource, { kafka: publisher }, logger, { service: 'spec' }).drainOnce()).toBeGreaterThanOrEqual(1);
    expect((await readTopic(kafka, topic, 1)).map((record) => record.key)).toEqual([id]);
    await publisher.close();
  });

  it('survives losing its database connection in the middle of a round, and publishes the round rows afterwards', async () => {
    const topic = await createTopic(kafka, `outbox-spec.${randomUUID()}`);
    const { publisher, inPublish, letGo } = heldPublisher(kafka);
    const relay = new OutboxRelay(dataSource, { kafka: publisher }, logger, { service: 'spec', pollIntervalMs: 200 });
    relay.start();
    try {
      const id = await writeThing(dataSource, topic);
      await inPublish;
      // The round's connection, idle in its transaction while the publish is held, is ended by the server.
      const [{ terminated }] = await dataSource.query(
        `SELECT count(pg_terminate_backend(pid))::int AS terminated FROM pg_stat_activity
          WHERE datname = current_database() AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()`,
      );
      expect(terminated).toBe(1);
      // The publish goes through, but the round cannot commit: its rows stay unsent, and a later round sends them.
      letGo();
      await eventually('the row marked sent', async () => ((await unsentOf(dataSource, id)) === 0 ? true : undefined), 15_000);
      // Twice on the topic: by the round that could not commit, and by the next. At least once; inboxes make it once.
      expect((await readTopic(kafka, topic, 2)).map((record) => record.thing)).toEqual([id, id]);
    } finally {
      letGo();
      await relay.stop();
    }
  });

  it('keeps an event written while the broker is stopped, and publishes it once the broker is back', async () => {
    // A broker of this spec's own (a real Kafka on other ports), so stopping it disturbs nobody else.
    const env = { ...process.env, KAFKA_PORT: '19092', KAFKA_CONTROLLER_PORT: '19093', KAFKA_STATE_DIR: resolve(root, '.local/kafka-outbox-spec') };
    const kafkaScript = (command: string): void => {
      execFileSync('bash', [resolve(root, 'scripts/kafka-local.sh'), command], { env, stdio: 'pipe', timeout: 150_000 });
    };
    kafkaScript('start');
    const ownKafka = createKafka({ clientId: 'outbox-spec-own', brokers: ['127.0.0.1:19092'] });
    const relay = new OutboxRelay(dataSource, { kafka: new KafkaPublisher(ownKafka) }, logger, { service: 'spec', pollIntervalMs: 100 });
    const topic = `outbox-spec.${randomUUID()}`;
    try {
      await createTopic(ownKafka, topic);
      kafkaScript('stop');
      relay.start();
      const id = await writeThing(dataSource, topic);
      await new Promise((r) => setTimeout(r, 2_000));
      expect(await unsentOf(dataSource, id)).toBe(1);

      kafkaScript('start');
      const records = await readTopic(ownKafka, topic, 1, 60_000);
      expect(records).toEqual([expect.objectContaining({ key: id, type: 'thing.created.v1' })]);
    } finally {
      await relay.stop();
      kafkaScript('stop');
    }
  }, 240_000);
});
