/**
 * CQRS read model rebuild (docs/patterns/08-cqrs.md), run by `npm run rebuild:order-read-model` (src/rebuild-read-model.ts).
 * Replays the order topic from the beginning into a fresh read model (schema `read_model_rebuild`) with the same
 * projection the live consumer uses, and compares it with the live read model at the same position in the topic. The
 * swap replaces the live tables with the rebuilt ones, only when nothing the live consumer applied can be lost or
 * applied twice.
 *
 * The comparison only covers what the topic can reproduce. A database that outlives the broker's log (a freshly
 * formatted local broker, or retention) holds orders whose order.placed.v1 is no longer on the topic: they are
 * counted as `olderThanLog`, left out of the order comparison, and block the swap; the sales totals then include
 * confirmations the topic no longer holds and are not compared (`salesDiffering` null).
 */
import { randomUUID } from 'node:crypto';
import { type Envelope, ORDER_CONFIRMED_V1, ORDER_PLACED_V1 } from '@shop/contracts';
import { afterFailure, DEFAULT_UNAVAILABLE_BUDGET_MS, type FailureState, MAX_RETRY_DELAY_MS, parseEnvelope, waitWithHeartbeats } from '@shop/messaging';
import { type Logger } from '@shop/platform';
import { type Admin, type Kafka, type KafkaMessage } from 'kafkajs';
import { type DataSource, type EntityManager } from 'typeorm';
import { lockLiveReadModel, projectOrderEvent, READ_MODEL_TABLES } from './order-read-model.projection';

export const REBUILD_SCHEMA = 'read_model_rebuild';
/** An event the projection keeps failing on is given up after this many attempts, as the live consumer dead-letters it. */
const MAX_ATTEMPTS = 5;
/** How long, once the topic is replayed, the rebuild waits for it to stop moving and for the live group to catch up. */
const SETTLE_TIMEOUT_MS = 60_000;
/**
 * statement_timeout of the statements that read or copy whole tables (creating the rebuild schema, the comparison,
 * the swap): a large read model takes longer than the 10 s the pool allows one statement. As payment's replay.
 */
export const LONG_STATEMENT_TIMEOUT_MS = 60_000;

export interface RebuildOptions {
  /** The order database; the statements that need longer than its statement timeout set their own. */
  readonly dataSource: DataSource;
  readonly kafka: Kafka;
  /** orders.events.v1; a spec gives a topic of its own. */
  readonly topic: string;
  /** The live read model's consumer group (`<prefix>order-read-model`). */
  readonly liveGroup: string;
  readonly logger: Logger;
  readonly settleTimeoutMs?: number;
  /** How long a database that cannot be used is waited for during the replay before the rebuild fails (15 min). */
  readonly unavailableBudgetMs?: number;
}

export interface RebuildSummary {
  readonly events: number;
  readonly duplicates: number;
  readonly skipped: number;
  readonly rebuilt: number;
  readonly live: number;
  readonly olderThanLog: number;
  readonly differing: number;
  readonly confirmationsOlderThanLog: number;
  readonly salesDiffering: number | null;
  readonly settled: boolean;
  readonly liveBehind: number[];
  readonly unread: number[];
  /** Where the replay stopped: the end of each partition, the next offset to read. */
  readonly ends: Record<string, string>;
}

/** Offsets per partition: the next offset to read (a partition's end is its high watermark). */
type Offsets = Map<number, bigint>;

export async function rebuildReadModel(options: RebuildOptions): Promise<RebuildSummary> {
  const { dataSource, kafka, topic, liveGroup, logger } = options;
  const unavailableBudgetMs = options.unavailableBudgetMs ?? DEFAULT_UNAVAILABLE_BUDGET_MS;
  const admin = kafka.admin();
  const groupId = `order-read-model-rebuild-${randomUUID()}`;
  await admin.connect();
  try {
    await createFreshReadModel(dataSource);

    const starts = await partitionOffsets(admin, topic, 'low');
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
    /**
     * Runs `work` until it succeeds, with the live consumer's failure policy: a database that cannot be used right now
     * (isTransientFailure) is waited for, with the member's heartbeats going on, and fails the rebuild only after
     * `unavailableBudgetMs`; any other failure counts as an attempt, and after `maxAttempts` it is returned.
     */
    const attempt = async (work: () => Promise<void>, maxAttempts: number, heartbeat: () => Promise<void>): Promise<{ failure: unknown } | undefined> => {
      let state: FailureState = { attempts: 0, unavailableSince: undefined };
      for (let tries = 1; ; tries++) {
        try {
          await work();
          return undefined;
        } catch (error) {
          const outcome = afterFailure(error, state, { maxAttempts, unavailableBudgetMs });
          if (outcome.deadLetter && outcome.unavailableSince !== undefined) {
            throw new Error(`the database stayed unavailable for ${unavailableBudgetMs} ms during the replay`, { cause: error });
          }
          if (outcome.deadLetter) return { failure: error };
          if (outcome.unavailableSince !== undefined && state.unavailableSince === undefined) {
            logger.warn({ err: error }, 'the database cannot be used right now; the replay waits for it');
          }
          state = outcome;
          await waitWithHeartbeats(Math.min(20 * 2 ** (tries - 1), MAX_RETRY_DELAY_MS), heartbeat);
        }
      }
    };
    // Applying an event again changes nothing (projectOrderEvent), so a transaction retried after a commit whose
    // answer was lost with the connection does no harm.
    const inOneTransaction = (envelopes: readonly Envelope[]) => () =>
      dataSource.transaction(async (manager) => {
        for (const envelope of envelopes) await projectOrderEvent(manager, envelope, REBUILD_SCHEMA);
      });
    /** One event in a transaction of its own; given up after MAX_ATTEMPTS failures of its own, as the live consumer does. */
    const applyOne = async (envelope: Envelope, heartbeat: () => Promise<void>): Promise<void> => {
      const failed = await attempt(inOneTransaction([envelope]), MAX_ATTEMPTS, heartbeat);
      if (!failed) {
        counts.events++;
        return;
      }
      const reason = failed.failure instanceof Error ? failed.failure.message : String(failed.failure);
      logger.warn({ id: envelope.id, type: envelope.type, reason }, 'event skipped: the projection keeps failing on it');
      counts.skipped++;
    };
    /**
     * Events in one transaction (a commit per event would make long topics slow). If it fails on an event, each half is
     * tried on its own, in order, down to the single event that fails: a poison event costs a few rollbacks, not a slow
     * batch. A database outage is waited out on the whole batch.
     */
    const applyAll = async (envelopes: readonly Envelope[], heartbeat: () => Promise<void>): Promise<void> => {
      if (envelopes.length === 0) return;
      if (envelopes.length === 1) return applyOne(envelopes[0], heartbeat);
      if (!(await attempt(inOneTransaction(envelopes), 1, heartbeat))) {
        counts.events += envelopes.length;
        return;
      }
      const half = Math.ceil(envelopes.length / 2);
      await applyAll(envelopes.slice(0, half), heartbeat);
      await applyAll(envelopes.slice(half), heartbeat);
    };
    const applyBatch = async (messages: readonly KafkaMessage[], heartbeat: () => Promise<void>): Promise<void> => {
      const envelopes = fresh(messages);
      await applyAll(envelopes, heartbeat);
      for (const envelope of envelopes) seen.add(envelope.id);
    };

    const consumer = kafka.consumer({ groupId });
    let inFlight: Promise<void> = Promise.resolve();
    let crashed: unknown;
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) crashed = payload.error; // kafkajs gave up: fail rather than wait for a replay that stopped
    });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
          if (batch.messages.length === 0 || crashed) return;
          const [first, last] = [batch.messages[0].offset, batch.messages[batch.messages.length - 1].offset];
          inFlight = applyBatch(batch.messages, heartbeat).then(
            () => {
              if (!firstRead.has(batch.partition)) firstRead.set(batch.partition, BigInt(first));
              position.set(batch.partition, BigInt(last) + 1n);
              resolveOffset(last);
            },
            (error: unknown) => {
              crashed = error; // the database stayed away too long: the rebuild fails
            },
          );
          await inFlight;
          if (!crashed) await heartbeat();
        },
      });

      // Replay up to the end of every partition; then wait until the live group has committed the same offsets and the
      // topic has not moved meanwhile, so both read models have applied exactly the same events when compared.
      // The first replay takes as long as the topic is long; settling afterwards is bounded.
      const replayed = (target: Offsets) => async (): Promise<boolean> => {
        if (crashed) throw crashed;
        return reached(position, target, starts);
      };
      await waitUntil(replayed(await partitionOffsets(admin, topic, 'high')), Number.POSITIVE_INFINITY);
      const deadline = Date.now() + (options.settleTimeoutMs ?? SETTLE_TIMEOUT_MS);
      let ends: Offsets;
      let settled = false;
      for (;;) {
        ends = await partitionOffsets(admin, topic, 'high');
        const target = ends;
        await waitUntil(replayed(target), deadline);
        if (!reached(await committedOffsets(admin, liveGroup, topic), target, starts)) {
          logger.info({ group: liveGroup }, 'waiting for the live consumer group to reach the same offsets');
          await waitUntil(async () => reached(await committedOffsets(admin, liveGroup, topic), target, starts), deadline);
        }
        consumer.pause([{ topic }]);
        await inFlight;
        if (crashed) throw crashed;
        const now = await partitionOffsets(admin, topic, 'high');
        const replayedExactly = reached(position, ends, starts) && [...position].every(([partition, offset]) => offset === ends.get(partition));
        settled = replayedExactly && sameOffsets(now, ends);
        if (settled || Date.now() >= deadline) break;
        consumer.resume([{ topic }]);
      }
      const liveBehind = behind(await committedOffsets(admin, liveGroup, topic), ends, starts);
      // Every partition must have been read from its first retained offset, or orders would go missing unnoticed.
      const unread = [...ends]
        .filter(([partition, end]) => end > (starts.get(partition) ?? 0n) && firstRead.get(partition) !== starts.get(partition))
        .map(([partition]) => partition);

      const comparison = await compare(dataSource, liveGroup, [...placed], [...confirmations]);
      return { ...counts, ...comparison, settled, liveBehind, unread, ends: Object.fromEntries([...ends].map(([p, o]) => [p, String(o)])) };
    } finally {
      await consumer.disconnect();
    }
  } finally {
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}

/**
 * Why the rebuilt tables may not replace the live ones, from the replay: it did not settle at the end of the topic,
 * the live group did not stand at the same offsets, a partition was not read from its start, or an event was skipped.
 */
function replayRefusals(summary: RebuildSummary): string[] {
  const reasons: string[] = [];
  if (!summary.settled) reasons.push('the replay did not settle at the end of the topic, which kept moving');
  if (summary.liveBehind.length > 0) {
    reasons.push(`the live consumer group is behind on partitions ${summary.liveBehind.join(', ')}: it would apply again events the rebuilt tables hold`);
  }
  if (summary.unread.length > 0) reasons.push(`partitions ${summary.unread.join(', ')} were not read from their first offset`);
  if (summary.skipped > 0) reasons.push(`${summary.skipped} messages were skipped: the rebuilt read model lacks them`);
  return reasons;
}

/**
 * Why the rebuilt tables may not replace the live ones, from the comparison: the live read model holds orders or
 * counted confirmations the topic no longer has. A difference between the two models (`differing`,
 * `salesDiffering`) is no reason: with both at the same offsets it can only come from the projection (changed since
 * the live tables were built) or from live tables gone wrong, and replacing them is what the swap is for.
 */
function comparisonRefusals(summary: RebuildSummary): string[] {
  const reasons: string[] = [];
  if (summary.olderThanLog > 0) reasons.push(`${summary.olderThanLog} live orders are older than the topic's log and would be lost`);
  if (summary.confirmationsOlderThanLog > 0) {
    reasons.push(`the live sales count ${summary.confirmationsOlderThanLog} confirmations older than the topic's log, which would be lost`);
  }
  return reasons;
}

/**
 * Replaces the live read model with the rebuilt one, or throws `--swap refused: …` and changes nothing. The replay
 * must have settled with the live group at the same offsets, read every partition from its start and applied every
 * event. Then, under the live read model's lock taken exclusively (the live projection waits meanwhile), it checks
 * again that the topic has not moved since the replay settled and that the live group has committed every offset up
 * to there: the live tables hold exactly the events the rebuilt ones hold (so the comparison saw them as they are),
 * and whatever the live consumer applies next lands on the rebuilt tables. Last, the comparison must show nothing the
 * topic no longer holds.
 */
export async function swapReadModel(options: Pick<RebuildOptions, 'dataSource' | 'kafka' | 'topic' | 'liveGroup' | 'logger'>, summary: RebuildSummary): Promise<void> {
  const { dataSource, kafka, topic, liveGroup, logger } = options;
  const refused = (reasons: readonly string[]): Error => new Error(`--swap refused: ${reasons.join('; ')}`);
  if (replayRefusals(summary).length > 0) throw refused(replayRefusals(summary));
  const ends: Offsets = new Map(Object.entries(summary.ends).map(([partition, offset]) => [Number(partition), BigInt(offset)]));
  const admin = kafka.admin();
  await admin.connect();
  try {
    await inLongTransaction(dataSource, async (manager) => {
      await lockLiveReadModel(manager, 'exclusive');
      const now = await partitionOffsets(admin, topic, 'high');
      if (!sameOffsets(now, ends)) {
        throw refused([`the topic moved since the rebuild settled (from ${show(ends)} to ${show(now)}); run the rebuild again`]);
      }
      const lagging = behind(await committedOffsets(admin, liveGroup, topic), ends, await partitionOffsets(admin, topic, 'low'));
      if (lagging.length > 0) throw refused([`the live consumer group is behind on partitions ${lagging.join(', ')}`]);
      if (comparisonRefusals(summary).length > 0) throw refused(comparisonRefusals(summary));
      await manager.query(`TRUNCATE ${READ_MODEL_TABLES.map((table) => `public.${table}`).join(', ')}`);
      for (const table of READ_MODEL_TABLES) await manager.query(`INSERT INTO public.${table} SELECT * FROM ${REBUILD_SCHEMA}.${table}`);
    });
  } finally {
    await admin.disconnect();
  }
  logger.info('live read model replaced by the rebuilt one');
}

/** A transaction whose statements may take up to LONG_STATEMENT_TIMEOUT_MS each. */
function inLongTransaction<T>(dataSource: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  return dataSource.transaction(async (manager) => {
    await manager.query(`SET LOCAL statement_timeout = ${LONG_STATEMENT_TIMEOUT_MS}`);
    return work(manager);
  });
}

async function createFreshReadModel(dataSource: DataSource): Promise<void> {
  await inLongTransaction(dataSource, async (manager) => {
    await manager.query(`DROP SCHEMA IF EXISTS ${REBUILD_SCHEMA} CASCADE`);
    await manager.query(`CREATE SCHEMA ${REBUILD_SCHEMA}`);
    for (const table of READ_MODEL_TABLES) await manager.query(`CREATE TABLE ${REBUILD_SCHEMA}.${table} (LIKE public.${table} INCLUDING ALL)`);
  });
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
  const [row] = await inLongTransaction(dataSource, (manager) =>
    manager.query(
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
    ),
  );
  return { ...row, salesDiffering: row.confirmationsOlderThanLog === 0 ? row.salesDiffering : null };
}

async function partitionOffsets(admin: Admin, topic: string, which: 'low' | 'high'): Promise<Offsets> {
  if (!(await admin.listTopics()).includes(topic)) return new Map();
  const offsets = await admin.fetchTopicOffsets(topic);
  return new Map(offsets.map((p) => [p.partition, BigInt(p[which])]));
}

async function committedOffsets(admin: Admin, groupId: string, topic: string): Promise<Offsets> {
  const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return new Map((entry?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
}

/** The partitions holding messages (end past start) on which `offsets` has not reached `ends`. */
function behind(offsets: Offsets, ends: Offsets, starts: Offsets): number[] {
  return [...ends].filter(([partition, end]) => end > (starts.get(partition) ?? 0n) && (offsets.get(partition) ?? -1n) < end).map(([partition]) => partition);
}

const reached = (offsets: Offsets, ends: Offsets, starts: Offsets): boolean => behind(offsets, ends, starts).length === 0;

function sameOffsets(a: Offsets, b: Offsets): boolean {
  return a.size === b.size && [...b].every(([partition, offset]) => a.get(partition) === offset);
}

const show = (offsets: Offsets): string => JSON.stringify(Object.fromEntries([...offsets].map(([partition, offset]) => [partition, String(offset)])));

async function waitUntil(condition: () => Promise<boolean>, deadline: number): Promise<void> {
  while (!(await condition()) && Date.now() < deadline) await sleep(100);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
