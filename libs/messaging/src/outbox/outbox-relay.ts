/**
 * The outbox relay: publishes committed outbox rows to Kafka or RabbitMQ and marks them sent.
 * - Rows are picked by "not yet sent" (never by "id greater than the last one seen"), so a transaction that commits
 *   after a later one is never skipped.
 * - One relay per database at a time (a transaction-level advisory lock), so one aggregate's messages keep their order.
 * - LISTEN/NOTIFY wakes it as soon as a transaction with messages commits; a slow poll covers missed notifications.
 * - Where several processes share a database (replicas, shipping's app and workers), only one relay answers the
 *   notifications: the one whose listening connection holds a session-level advisory lock. The others stand by and
 *   only poll, which also covers a leader that hangs; the lock goes with the leader's connection, and the next
 *   standby to poll takes it over. Without that, every commit woke every relay, and all rounds but one were wasted.
 * - A round marks its rows sent, publishes them, then commits: a publish failure rolls back the marking, so the rows
 *   stay unsent and are retried with backoff. A crash after publishing and before the commit republishes them, so
 *   delivery is at-least-once and every consumer deduplicates (inbox).
 */
import { type PoolClient, type QueryResult } from 'pg';
import { Counter, Gauge, Histogram } from 'prom-client';
import { type DataSource } from 'typeorm';
import { HEADERS } from '@shop/contracts';
import { type Logger, PgListener } from '@shop/platform';
import { type KafkaPublisher } from '../kafka/kafka-publisher';
import { type RabbitMqPublisher } from '../rabbitmq/rabbitmq-publisher';
import { OUTBOX_CHANNEL } from './outbox';

interface OutboxRow {
  position: string;
  id: string;
  destination: 'kafka' | 'rabbitmq';
  topic: string;
  message_key: string;
  envelope: { type: string; correlationId: string };
  headers: Record<string, string>;
  created_at: Date;
}

/**
 * A row of the take query: the relay lock's outcome, the rows the round looked at, and an outbox row's columns (all
 * null when none was taken).
 */
type TakenRow = { readonly locked: boolean; readonly waiting: number } & (OutboxRow | { [K in keyof OutboxRow]: null });

/**
 * The most a round publishes, in bytes of envelopes, headers and keys: half of Kafka's default message.max.bytes
 * (1 MiB), which bounds the record batch of a partition. A single message may be up to OUTBOX_MAX_MESSAGE_BYTES;
 * such a message goes in a round of its own.
 */
export const ROUND_MAX_BYTES = 512 * 1024;

/** TypeORM's PostgreSQL driver hands out connections of its pg pool; `release(error)` drops a broken one. */
interface PooledDriver {
  obtainMasterConnection(): Promise<[PoolClient, (error?: Error) => void]>;
}

export interface OutboxRelayOptions {
  readonly service: string;
  readonly batchSize?: number;
  /** Poll interval when no notification arrives. */
  readonly pollIntervalMs?: number;
  /** Sent rows are deleted after this long. */
  readonly retentionMs?: number;
}

/** The relays of this process; their backlog is read from the database whenever /metrics is scraped. */
const relays = new Set<OutboxRelay>();
let refreshing: Promise<void> | undefined;
function refreshBacklogs(): Promise<void> {
  refreshing ??= Promise.allSettled([...relays].map((relay) => relay.backlog()))
    .then(() => undefined)
    .finally(() => {
      refreshing = undefined;
    });
  return refreshing;
}

const backlogGauge = new Gauge({ name: 'shop_outbox_backlog', help: 'Outbox rows not yet published', labelNames: ['service'], collect: refreshBacklogs });
const oldestGauge = new Gauge({
  name: 'shop_outbox_oldest_unsent_age_seconds',
  help: 'Age of the oldest unpublished outbox row',
  labelNames: ['service'],
  collect: refreshBacklogs,
});
const roundsCounter = new Counter({
  name: 'shop_outbox_relay_rounds_total',
  help: 'Outbox relay rounds by outcome: sent (published rows), empty (nothing unsent), locked (another relay was in a round)',
  labelNames: ['service', 'outcome'],
});
const lagHistogram = new Histogram({
  name: 'shop_outbox_publish_lag_seconds',
  help: 'Time from outbox insert to confirmed publish',
  labelNames: ['service', 'destination'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
});

export class OutboxRelay {
  private running = false;
  /** Holds the leadership lock on the listening connection: answers notifications. */
  private leading = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  /** A notification came since the current round began: the loop goes round again instead of sleeping. */
  private notified = false;
  private listener: PgListener | undefined;
  private lastCleanup = 0;
  private readonly batchSize: number;
  private readonly takeRows: string;
  private readonly pollIntervalMs: number;
  private readonly retentionMs: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly publishers: { readonly kafka?: KafkaPublisher; readonly rabbitmq?: RabbitMqPublisher },
    private readonly logger: Logger,
    private readonly options: OutboxRelayOptions,
  ) {
    this.batchSize = options.batchSize ?? 200;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new Error(`OutboxRelay: batchSize must be a positive integer, got ${this.batchSize}`);
    // One statement takes the transaction-level relay lock and, only when it got it, takes the oldest unsent rows
    // and marks them sent (the mark lasts only if the round commits, after the broker confirmed the publish). The
    // lock is a one-time filter: without it no row is locked or marked. Always one row at least: `locked` with no
    // row when there is nothing to send. A round takes at most `batchSize` rows and ROUND_MAX_BYTES of them (the
    // first row always): Kafka refuses a partition's record batch over its message.max.bytes whole, and would refuse
    // the same round on every retry. `waiting` counts the rows the round looked at, taken or not.
    this.takeRows = `WITH relay AS (SELECT pg_try_advisory_xact_lock(hashtext('shop.outbox-relay')) AS locked),
      candidates AS (
        SELECT position, octet_length(envelope::text) + octet_length(headers::text) + octet_length(message_key) AS bytes
          FROM outbox
         WHERE (SELECT locked FROM relay) AND sent_at IS NULL
         ORDER BY position LIMIT ${this.batchSize} FOR UPDATE SKIP LOCKED
      ),
      sized AS (SELECT position, bytes, sum(bytes) OVER (ORDER BY position) AS upto FROM candidates),
      taken AS (
        UPDATE outbox SET sent_at = clock_timestamp()
         WHERE position IN (SELECT position FROM sized WHERE upto <= ${ROUND_MAX_BYTES} OR upto = bytes)
         RETURNING position, id, destination, topic, message_key, envelope, headers, created_at
      )
      SELECT relay.locked, (SELECT count(*)::int FROM candidates) AS waiting, taken.*
        FROM relay LEFT JOIN taken ON true ORDER BY taken.position`;
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.retentionMs = options.retentionMs ?? 24 * 3600 * 1000;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    relays.add(this);
    // A dedicated connection LISTENs for commits that added messages, and reconnects if it drops.
    const url = (this.dataSource.options as { url?: string }).url;
    if (url) {
      this.listener = new PgListener({
        url,
        channel: OUTBOX_CHANNEL,
        applicationName: `${this.options.service}-outbox-listener`,
        onNotification: () => {
          if (this.leading) this.poke();
        },
        // Listening again: try for the leadership now rather than at the next poll.
        onListening: (listening) => {
          if (listening) this.poke();
          else this.leading = false;
        },
      });
      this.listener.start();
    }
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    relays.delete(this);
    this.wake?.();
    await this.loop;
    await this.listener?.stop();
    this.listener = undefined;
    await this.publishers.kafka?.close();
  }

  /** Backlog figures for metrics and readiness details. */
  async backlog(): Promise<{ unsent: number; oldestAgeSeconds: number }> {
    const [row] = await this.dataSource.query(
      `SELECT count(*)::int AS unsent, coalesce(extract(epoch FROM now() - min(created_at)), 0)::float AS oldest FROM outbox WHERE sent_at IS NULL`,
    );
    backlogGauge.set({ service: this.options.service }, row.unsent);
    oldestGauge.set({ service: this.options.service }, row.oldest);
    return { unsent: row.unsent, oldestAgeSeconds: row.oldest };
  }

  /** 'standby' while another process's relay answers this database's notifications (or none can be heard). */
  get role(): 'active' | 'standby' {
    return this.leading ? 'active' : 'standby';
  }

  /** Publishes what is pending now; returns how many rows were sent. Used by the loop, and by tests. */
  async drainOnce(): Promise<number> {
    const round = await this.round();
    return round === 'locked' ? 0 : round.sent;
  }

  /**
   * One round: the rows sent and whether more are waiting, or 'locked' when another relay is in a round. Two round trips to the database: the
   * first opens the transaction, takes the relay lock and takes the rows in one query; the second commits once the
   * broker has confirmed them. Through TypeORM's `transaction()` the same round cost four (BEGIN, the lock, the
   * rows, COMMIT), and the relay runs one round for about every commit that writes messages.
   */
  private async round(): Promise<{ sent: number; more: boolean } | 'locked'> {
    if (!this.dataSource.isInitialized) return { sent: 0, more: false };
    const [client, release] = await (this.dataSource.driver as unknown as PooledDriver).obtainMasterConnection();
    let broken: Error | undefined;
    // A connection lost while the round holds it (PostgreSQL restarted, the session terminated, the network cut) is
    // an 'error' event on the client, which would end the process if nobody listened: the pool listens only to idle
    // clients. Here it fails the round (its COMMIT cannot succeed), and the connection is dropped, not reused.
    const onError = (error: Error): void => {
      broken ??= error;
    };
    client.on('error', onError);
    try {
      // Several statements in one query use PostgreSQL's simple protocol, which takes no parameters: the batch size
      // and the byte budget are this relay's own integers (checked in the constructor), never outside input.
      const [, taken] = (await client.query(`BEGIN; ${this.takeRows}`)) as unknown as [QueryResult, QueryResult<TakenRow>];
      const locked = taken.rows[0]?.locked === true;
      const rows = taken.rows.filter((row): row is TakenRow & OutboxRow => row.position !== null);
      if (rows.length > 0) await this.publish(rows);
      // A failed publish throws before this: the rollback below unmarks the rows, and they are retried.
      await client.query('COMMIT');
      if (!locked) return 'locked';
      const now = Date.now();
      for (const row of rows) {
        lagHistogram.observe({ service: this.options.service, destination: row.destination }, (now - new Date(row.created_at).getTime()) / 1000);
      }
      // More rows than the round took: it was cut by the byte budget, or by the batch size.
      const waiting = taken.rows[0]?.waiting ?? 0;
      return { sent: rows.length, more: rows.length < waiting || waiting === this.batchSize };
    } catch (error) {
      // A connection that cannot even roll back is not given back to the pool in an open transaction: it is dropped.
      await client.query('ROLLBACK').catch((rollbackError: Error) => {
        broken = rollbackError;
      });
      throw error;
    } finally {
      client.removeListener('error', onError);
      release(broken);
    }
  }

  private async publish(rows: readonly OutboxRow[]): Promise<void> {
    const kafkaRows = rows.filter((row) => row.destination === 'kafka');
    const rabbitRows = rows.filter((row) => row.destination === 'rabbitmq');
    const headersOf = (row: OutboxRow): Record<string, string> => ({
      ...row.headers,
      [HEADERS.messageId]: row.id,
      [HEADERS.type]: row.envelope.type,
      [HEADERS.correlationId]: row.envelope.correlationId,
    });
    if (kafkaRows.length > 0) {
      if (!this.publishers.kafka) throw new Error('outbox has Kafka messages but no Kafka publisher is configured');
      await this.publishers.kafka.publish(
        kafkaRows.map((row) => ({ topic: row.topic, key: row.message_key, value: JSON.stringify(row.envelope), headers: headersOf(row) })),
      );
    }
    if (rabbitRows.length > 0) {
      if (!this.publishers.rabbitmq) throw new Error('outbox has RabbitMQ messages but no RabbitMQ publisher is configured');
      await this.publishers.rabbitmq.publish(
        rabbitRows.map((row) => ({
          exchange: row.topic,
          routingKey: row.message_key,
          messageId: row.id,
          type: row.envelope.type,
          body: JSON.stringify(row.envelope),
          headers: headersOf(row),
        })),
      );
    }
  }

  private async run(): Promise<void> {
    let delay = 0;
    while (this.running) {
      try {
        if (!this.leading) this.leading = await this.lead();
        // What was notified so far, this round takes; a notification from now on asks for another round.
        this.notified = false;
        const round = await this.round();
        delay = 0;
        roundsCounter.inc({ service: this.options.service, outcome: round === 'locked' ? 'locked' : round.sent > 0 ? 'sent' : 'empty' });
        if (round !== 'locked' && round.more) continue;
        await this.cleanup();
        await this.sleep(this.pollIntervalMs);
      } catch (error) {
        delay = Math.min(Math.max(delay * 2, 200), 5_000);
        this.logger.warn({ err: error, retryInMs: delay }, 'outbox relay could not publish; will retry');
        // The back-off holds even if commits were notified during the failed round (a notification during it still
        // cuts it short, as before).
        this.notified = false;
        await this.sleep(delay);
      }
    }
  }

  /** Takes the leadership if no other relay's listening connection holds it; false while not listening. */
  private async lead(): Promise<boolean> {
    const rows = await this.listener?.query<{ leading: boolean }>(`SELECT pg_try_advisory_lock(hashtext('shop.outbox-relay-leader')) AS leading`);
    return rows?.[0]?.leading === true;
  }

  private async cleanup(): Promise<void> {
    if (Date.now() - this.lastCleanup < 60_000) return;
    this.lastCleanup = Date.now();
    await this.dataSource.query(`DELETE FROM outbox WHERE sent_at < now() - ($1 || ' milliseconds')::interval`, [String(this.retentionMs)]);
    await this.backlog();
  }

  /**
   * Asks for a round now: wakes the loop if it sleeps, and otherwise makes it go round again once the current round
   * ends. A row committed while a round publishes was not in that round's take, and its notification is the only one
   * it sends: were it dropped, the row would wait for another commit's notification or the next poll.
   */
  private poke(): void {
    this.notified = true;
    this.wake?.();
  }

  private sleep(ms: number): Promise<void> {
    if (this.notified) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
