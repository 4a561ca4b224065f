/**
 * `npm run rebuild:order-read-model [-- --swap]`: CQRS read model rebuild (docs/patterns/08-cqrs.md). Replays
 * orders.events.v1 from the beginning into a fresh read model (schema `read_model_rebuild`) with the same projection
 * the live consumer uses, and compares it with the live read model at the same position in the topic.
 * With --swap the rebuilt tables replace the live ones.
 *
 * The comparison only covers what the topic can reproduce. A database that outlives the broker's log (a freshly
 * formatted local broker, or retention) holds orders whose order.placed.v1 is no longer on the topic: they are
 * counted as `olderThanLog`, left out of the order comparison, and block --swap; the sales totals then include
 * confirmations the topic no longer holds and are not compared (`salesDiffering` null).
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { CONSUMER_GROUPS, type Envelope, ORDER_CONFIRMED_V1, ORDER_PLACED_V1, TOPICS } from '@shop/contracts';
import { createKafka, parseEnvelope } from '@shop/messaging';
import { createDataSource, createLogger, loadConfig, runService } from '@shop/platform';
import { type Admin, type KafkaMessage } from 'kafkajs';
import { type DataSource } from 'typeorm';
import { orderConfigSchema } from './config/order.config';
import { orderDatabase } from './infrastructure/persistence/database';
import { projectOrderEvent } from './infrastructure/projections/order-read-model.projection';

export const REBUILD_SCHEMA = 'read_model_rebuild';
/** An event the projection keeps failing on is given up after this many attempts, as the live consumer dead-letters it. */
const MAX_ATTEMPTS = 5;
/** How long, once the topic is replayed, the rebuild waits for it to stop moving and for the live group to catch up. */
const SETTLE_TIMEOUT_MS = 60_000;

/** Offsets per partition: the next offset to read (a partition's end is its high watermark). */
type Offsets = Map<number, bigint>;

void runService('order-rebuild', async () => {
  const config = loadConfig(
    orderConfigSchema.pick({ ORDER_DATABASE_URL: true, KAFKA_BROKERS: true, ORDER_CONSUMER_GROUP_PREFIX: true, LOG_LEVEL: true }),
  );
  const logger = createLogger('order-rebuild', config.LOG_LEVEL);
  const liveGroup = `${config.ORDER_CONSUMER_GROUP_PREFIX}${CONSUMER_GROUPS.orderReadModel}`;
  const dataSource = createDataSource(orderDatabase(config.ORDER_DATABASE_URL));
  await dataSource.initialize();
  const kafka = createKafka({ clientId: 'order-rebuild', brokers: config.KAFKA_BROKERS, logger });
  const admin = kafka.admin();
  const groupId = `order-read-model-rebuild-${randomUUID()}`;
  const started = Date.now();
  try {
    await admin.connect();
    await createFreshReadModel(dataSource);

    const starts = await partitionOffsets(admin, 'low');
    const position: Offsets = new Map(); // next offset to read, per partition
    const firstRead: Offsets = new Map();
    const seen = new Set<string>(); // the topic is at-least-once: apply each message id once, as the live inbox does
    const placed = new Set<string>(); // order ids whose order.placed.v1 is on the topic
    const confirmations = new Set<string>(); // ids of the order.confirmed.v1 messages on the topic
    const counts = { events: 0, duplicates: 0, skipped: 0 };

    /** The envelopes of a batch still to apply: poison messages and ids already applied are counted and left out. */
    const fresh = (messages: readonly KafkaMessage[]): Envelope[] => {
      const envelopes: Envelope[] = [];
      const inBatch = new Set<string>();
      for (const message of messages) {
        let envelope: Envelope;
        try {
          envelope = parseEnvelope(message.value);
        } catch {
          counts.skipped++; // a poison message: the live consumer dead-letters it too
          continue;
        }
        if (seen.has(envelope.id) || inBatch.has(envelope.id)) {
          counts.duplicates++;
          continue;
        }
        inBatch.add(envelope.id);
        const orderId = (envelope.data as { orderId?: unknown } | null)?.orderId;
        if (typeof orderId === 'string' && envelope.type === ORDER_PLACED_V1) placed.add(orderId);
        if (envelope.type === ORDER_CONFIRMED_V1) confirmations.add(envelope.id);
        envelopes.push(envelope);
      }
      return envelopes;
    };
    /** One event in a transaction of its own, retried; given up after MAX_ATTEMPTS, as the live consumer does. */
    const applyOne = async (envelope: Envelope): Promise<void> => {
      for (let attempt = 1; ; attempt++) {
        try {
          await dataSource.transaction((manager) => projectOrderEvent(manager, envelope, REBUILD_SCHEMA));
          counts.events++;
          return;
        } catch (error) {
          if (attempt >= MAX_ATTEMPTS) {
            logger.warn({ id: envelope.id, type: envelope.type, reason: (error as Error).message }, 'event skipped: the projection keeps failing on it');
            counts.skipped++;
            return;
          }
          await sleep(20 * 2 ** (attempt - 1));
        }
      }
    };
    /**
     * Events in one transaction (a commit per event would make long topics slow). If it fails, each half is tried on
     * its own, in order, down to the single event that fails: a poison event costs a few rollbacks, not a slow batch.
     */
    const applyAll = async (envelopes: readonly Envelope[]): Promise<void> => {
      if (envelopes.length === 0) return;
      if (envelopes.length === 1) return applyOne(envelopes[0]);
      try {
        await dataSource.transaction(async (manager) => {
          for (const envelope of envelopes) await projectOrderEvent(manager, envelope, REBUILD_SCHEMA);
        });
        counts.events += envelopes.length;
      } catch {
        const half = Math.ceil(envelopes.length / 2);
        await applyAll(envelopes.slice(0, half));
        await applyAll(envelopes.slice(half));
      }
    };
    const applyBatch = async (messages: readonly KafkaMessage[]): Promise<void> => {
      const envelopes = fresh(messages);
      await applyAll(envelopes);
      for (const envelope of envelopes) seen.add(envelope.id);
    };

    const consumer = kafka.consumer({ groupId });
    let inFlight: Promise<void> = Promise.resolve();
    let crashed: unknown;
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) crashed = payload.error; // kafkajs gave up: fail rather than wait for a replay that stopped
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [TOPICS.orders], fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
        if (batch.messages.length === 0) return;
        const [first, last] = [batch.messages[0].offset, batch.messages[batch.messages.length - 1].offset];
        inFlight = applyBatch(batch.messages).then(() => {
          if (!firstRead.has(batch.partition)) firstRead.set(batch.partition, BigInt(first));
          position.set(batch.partition, BigInt(last) + 1n);
          resolveOffset(last);
        });
        await inFlight;
        await heartbeat();
      },
    });

    // Replay up to the end of every partition; then wait until the live group has committed the same offsets and the
    // topic has not moved meanwhile, so both read models have applied exactly the same events when compared.
    // The first replay takes as long as the topic is long; settling afterwards is bounded.
    const endsAtStart = await partitionOffsets(admin, 'high');
    await waitUntil(async () => {
      if (crashed) throw crashed;
      return reached(position, endsAtStart, starts);
    }, Number.POSITIVE_INFINITY);
    const deadline = Date.now() + SETTLE_TIMEOUT_MS;
    let ends: Offsets;
    let settled = false;
    for (;;) {
      ends = await partitionOffsets(admin, 'high');
      const target = ends;
      await waitUntil(() => Promise.resolve(reached(position, target, starts)), deadline);
      if (!reached(await committedOffsets(admin, liveGroup), target, starts)) {
        logger.info({ group: liveGroup }, 'waiting for the live consumer group to reach the same offsets');
        await waitUntil(async () => reached(await committedOffsets(admin, liveGroup), target, starts), deadline);
      }
      consumer.pause([{ topic: TOPICS.orders }]);
      await inFlight;
      const now = await partitionOffsets(admin, 'high');
      const replayedExactly = reached(position, ends, starts) && [...position].every(([partition, offset]) => offset === ends.get(partition));
      settled = replayedExactly && sameOffsets(now, ends);
      if (settled || Date.now() >= deadline) break;
      consumer.resume([{ topic: TOPICS.orders }]);
    }
    const liveBehind = behind(await committedOffsets(admin, liveGroup), ends, starts);
    // Every partition must have been read from its first retained offset, or orders would go missing unnoticed.
    const unread = [...ends]
      .filter(([partition, end]) => end > (starts.get(partition) ?? 0n) && firstRead.get(partition) !== starts.get(partition))
      .map(([partition]) => partition);

    const comparison = await compare(dataSource, liveGroup, [...placed], [...confirmations]);
    const summary = { ...counts, ...comparison, settled, liveBehind, unread, ends: Object.fromEntries([...ends].map(([p, o]) => [p, String(o)])) };
    await consumer.disconnect();
    logger.info({ ...summary, ms: Date.now() - started }, 'read model rebuilt from orders.events.v1');
    process.stdout.write(`${JSON.stringify(summary)}\n`);

    if (process.argv.includes('--swap')) {
      if (comparison.olderThanLog > 0) {
        throw new Error(`--swap refused: ${comparison.olderThanLog} live orders are older than the topic's log and would be lost`);
      }
      await dataSource.transaction(async (manager) => {
        await manager.query(`TRUNCATE public.order_views, public.sales_by_product`);
        await manager.query(`INSERT INTO public.order_views SELECT * FROM ${REBUILD_SCHEMA}.order_views`);
        await manager.query(`INSERT INTO public.sales_by_product SELECT * FROM ${REBUILD_SCHEMA}.sales_by_product`);
      });
      logger.info('live read model replaced by the rebuilt one');
    }
  } finally {
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
    await dataSource.destroy();
  }
});

async function createFreshReadModel(dataSource: DataSource): Promise<void> {
  await dataSource.query(`DROP SCHEMA IF EXISTS ${REBUILD_SCHEMA} CASCADE`);
  await dataSource.query(`CREATE SCHEMA ${REBUILD_SCHEMA}`);
  await dataSource.query(`CREATE TABLE ${REBUILD_SCHEMA}.order_views (LIKE public.order_views INCLUDING ALL)`);
  await dataSource.query(`CREATE TABLE ${REBUILD_SCHEMA}.sales_by_product (LIKE public.sales_by_product INCLUDING ALL)`);
}

/**
 * Compares the rebuilt tables with the live ones, every column. Live orders whose order.placed.v1 is not on the topic
 * cannot be rebuilt: they are counted apart. Sales per product are sums over confirmations, so they are compared only
 * when the live read model counted no confirmation the topic no longer holds (its inbox tells); otherwise null.
 */
async function compare(
  dataSource: DataSource,
  liveGroup: string,
  placed: readonly string[],
  confirmations: readonly string[],
): Promise<{ rebuilt: number; live: number; olderThanLog: number; differing: number; confirmationsOlderThanLog: number; salesDiffering: number | null }> {
  const [row] = await dataSource.query(
    `WITH live AS (SELECT * FROM public.order_views WHERE id::text = ANY($1::text[]))
     SELECT
       (SELECT count(*) FROM ${REBUILD_SCHEMA}.order_views)::int AS rebuilt,
       (SELECT count(*) FROM public.order_views)::int AS live,
       (SELECT count(*) FROM public.order_views WHERE NOT (id::text = ANY($1::text[])))::int AS "olderThanLog",
       (SELECT count(*) FROM (
          (SELECT * FROM ${REBUILD_SCHEMA}.order_views EXCEPT SELECT * FROM live)
          UNION ALL
          (SELECT * FROM live EXCEPT SELECT * FROM ${REBUILD_SCHEMA}.order_views)) d)::int AS differing,
       (SELECT count(*) FROM inbox
         WHERE consumer = $3 AND message_type = '${ORDER_CONFIRMED_V1}' AND NOT (message_id::text = ANY($2::text[])))::int
         AS "confirmationsOlderThanLog",
       (SELECT count(*) FROM (
          (SELECT * FROM ${REBUILD_SCHEMA}.sales_by_product EXCEPT SELECT * FROM public.sales_by_product)
          UNION ALL
          (SELECT * FROM public.sales_by_product EXCEPT SELECT * FROM ${REBUILD_SCHEMA}.sales_by_product)) d)::int AS "salesDiffering"`,
    [placed, confirmations, liveGroup],
  );
  return { ...row, salesDiffering: row.confirmationsOlderThanLog === 0 ? row.salesDiffering : null };
}

async function partitionOffsets(admin: Admin, which: 'low' | 'high'): Promise<Offsets> {
  if (!(await admin.listTopics()).includes(TOPICS.orders)) return new Map();
  const offsets = await admin.fetchTopicOffsets(TOPICS.orders);
  return new Map(offsets.map((p) => [p.partition, BigInt(p[which])]));
}

async function committedOffsets(admin: Admin, groupId: string): Promise<Offsets> {
  const [topic] = await admin.fetchOffsets({ groupId, topics: [TOPICS.orders] });
  return new Map((topic?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
}

/** The partitions holding messages (end past start) on which `offsets` has not reached `ends`. */
function behind(offsets: Offsets, ends: Offsets, starts: Offsets): number[] {
  return [...ends].filter(([partition, end]) => end > (starts.get(partition) ?? 0n) && (offsets.get(partition) ?? -1n) < end).map(([partition]) => partition);
}

const reached = (offsets: Offsets, ends: Offsets, starts: Offsets): boolean => behind(offsets, ends, starts).length === 0;

function sameOffsets(a: Offsets, b: Offsets): boolean {
  return a.size === b.size && [...b].every(([partition, offset]) => a.get(partition) === offset);
}

async function waitUntil(condition: () => Promise<boolean>, deadline: number): Promise<void> {
  while (!(await condition()) && Date.now() < deadline) await sleep(100);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
