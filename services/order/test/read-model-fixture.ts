import { randomUUID } from 'node:crypto';
import {
  deadLetterTopic,
  type Envelope,
  ORDER_CANCELLED_V1,
  ORDER_CONFIRMED_V1,
  ORDER_PLACED_V1,
  ORDER_SHIPPED_V1,
  type OrderLineV1,
} from '@shop/contracts';
import { envelope, handleOnce, KafkaConsumers } from '@shop/messaging';
import { createDataSource, createLogger, HealthRegistry, runMigrations } from '@shop/platform';
import { createTestDatabase, ensureTopics, eventually, publish, specKafka } from '@shop/testing';
import { type Kafka } from 'kafkajs';
import { Client } from 'pg';
import { type DataSource } from 'typeorm';
import { orderDatabase } from '../src/infrastructure/persistence/database';
import { projectOrderEvent } from '../src/infrastructure/projections/order-read-model.projection';
import { type RebuildOptions } from '../src/infrastructure/projections/read-model-rebuild';

/** One order's events, built as the order service writes them, all keyed by the order id. */
export interface SpecOrder {
  readonly id: string;
  readonly line: OrderLineV1;
  readonly placed: Envelope;
  readonly confirmed: Envelope;
  readonly shipped: Envelope;
  readonly cancelled: Envelope;
}

export function specOrder(): SpecOrder {
  const [id, userId] = [randomUUID(), randomUUID()];
  const line: OrderLineV1 = { productId: randomUUID(), productName: 'Spec Kettle', quantity: 2, unitPriceCents: 1_250 };
  const meta = { correlationId: id };
  return {
    id,
    line,
    placed: envelope(ORDER_PLACED_V1, { orderId: id, userId, items: [line], totalCents: 2_500, sagaStyle: 'orchestration', deadline: new Date(Date.now() + 60_000).toISOString() }, meta),
    confirmed: envelope(ORDER_CONFIRMED_V1, { orderId: id, userId, items: [line], totalCents: 2_500 }, meta),
    shipped: envelope(ORDER_SHIPPED_V1, { orderId: id, userId, trackingNumber: 'SHP-SPEC-0000-0003' }, meta),
    cancelled: envelope(ORDER_CANCELLED_V1, { orderId: id, userId, reason: 'PAYMENT_DECLINED' }, meta),
  };
}

/** The same fact again under a new message id, as when a dead-lettered copy is put back on the topic. */
export const again = (message: Envelope): Envelope => ({ ...message, id: randomUUID() });

/** A transaction of the spec's own that holds a table lock until `release()`. */
export interface HeldLock {
  release(): Promise<void>;
}

/**
 * The order read model on a topic of its own: a fresh, migrated database, a topic (and its dead-letter topic) made for
 * one spec, and the live consumer group projecting it as `order.consumers.ts` does (KafkaConsumers, the inbox,
 * projectOrderEvent), which the spec can stop and start again. The rebuild is pointed at the same topic, so it replays
 * only the spec's events, never the shared orders.events.v1 that other specs and a running shop write to.
 */
export class ReadModelFixture {
  private live: KafkaConsumers | undefined;
  private readonly held: Client[] = [];

  private constructor(
    readonly url: string,
    private readonly drop: () => Promise<void>,
    readonly dataSource: DataSource,
    readonly sql: Client,
    readonly kafka: Kafka,
    readonly topic: string,
    readonly liveGroup: string,
  ) {}

  static async open(name: string): Promise<ReadModelFixture> {
    const database = await createTestDatabase(name);
    await runMigrations(orderDatabase(database.url));
    const dataSource = createDataSource(orderDatabase(database.url));
    await dataSource.initialize();
    const sql = new Client({ connectionString: database.url });
    await sql.connect();
    const kafka = await specKafka(`${name}-spec`);
    const topic = `spec.${name}.${randomUUID()}`;
    await ensureTopics(kafka, [topic, deadLetterTopic(topic)]);
    return new ReadModelFixture(database.url, database.drop, dataSource, sql, kafka, topic, `spec-${randomUUID()}.order-read-model`);
  }

  /** Starts the live consumer group (as the order service does) and waits until it has joined. */
  async startLive(): Promise<void> {
    const consumers = new KafkaConsumers(this.kafka, new HealthRegistry(), createLogger('order', 'silent'));
    consumers.subscribe({
      groupId: this.liveGroup,
      topics: [this.topic],
      handle: (message) => handleOnce(this.dataSource, this.liveGroup, message, (manager) => projectOrderEvent(manager, message)).then(() => undefined),
    });
    consumers.onApplicationBootstrap();
    this.live = consumers;
    await eventually('the live read model group running', async () => ((await consumers.running()) ? true : undefined), 60_000);
  }

  /** Stops the live consumer group as a shutdown of the order service does: the offsets it handled are committed. */
  async stopLive(): Promise<void> {
    await this.live?.beforeApplicationShutdown();
    this.live = undefined;
  }

  /** Publishes each event keyed by its order id, in the order given. */
  async publish(...messages: Envelope[]): Promise<void> {
    for (const message of messages) await publish(this.kafka, this.topic, (message.data as { orderId: string }).orderId, [message]);
  }

  /** Waits until the live group has recorded every message in its inbox (applied, kept for later, or found stale). */
  async handled(...messages: Envelope[]): Promise<void> {
    await eventually(`${messages.length} messages handled by the live read model`, async () => {
      const { rows } = await this.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM inbox WHERE consumer = $1 AND message_id = ANY($2::uuid[])', [
        this.liveGroup,
        messages.map((message) => message.id),
      ]);
      return rows[0].n === messages.length ? true : undefined;
    }, 30_000);
  }

  /** Options for rebuildReadModel / swapReadModel on this spec's topic, live group and database. */
  rebuildOptions(overrides: Partial<RebuildOptions> = {}): RebuildOptions {
    return { dataSource: this.dataSource, kafka: this.kafka, topic: this.topic, liveGroup: this.liveGroup, logger: createLogger('order-rebuild', 'silent'), ...overrides };
  }

  async view(orderId: string, schema = 'public'): Promise<{ status: string; statuses: string[]; reason: string | null; tracking_number: string | null } | undefined> {
    const { rows } = await this.sql.query(`SELECT status, history, reason, tracking_number FROM ${schema}.order_views WHERE id = $1`, [orderId]);
    if (rows.length === 0) return undefined;
    const { history, ...row } = rows[0] as { status: string; history: Array<{ status: string }>; reason: string | null; tracking_number: string | null };
    return { ...row, statuses: history.map((entry) => entry.status) };
  }

  async sales(productId: string, schema = 'public'): Promise<Array<{ units: number; revenueCents: number; orders: number }>> {
    const { rows } = await this.sql.query<{ units: string; revenue_cents: string; orders: string }>(
      `SELECT units, revenue_cents, orders FROM ${schema}.sales_by_product WHERE product_id = $1`,
      [productId],
    );
    return rows.map((row) => ({ units: Number(row.units), revenueCents: Number(row.revenue_cents), orders: Number(row.orders) }));
  }

  /** Opens a transaction that takes `mode` on `table` as soon as the table exists, and holds it until released. */
  async lock(table: string, mode: 'ACCESS SHARE' | 'ACCESS EXCLUSIVE'): Promise<HeldLock> {
    await eventually(`table ${table}`, async () => ((await this.sql.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [table])).rows[0].t ? true : undefined), 30_000, 20);
    const client = new Client({ connectionString: this.url });
    await client.connect();
    this.held.push(client);
    await client.query('BEGIN');
    await client.query(`LOCK TABLE ${table} IN ${mode} MODE`);
    return {
      release: async () => {
        await client.query('ROLLBACK');
      },
    };
  }

  /** Waits until a session of this database waits for a lock on `table`, or for an advisory lock. */
  async waitingFor(lock: { table: string } | 'advisory', timeoutMs = 60_000): Promise<void> {
    const condition = lock === 'advisory' ? `locktype = 'advisory'` : `relation = to_regclass('${lock.table}')`;
    await eventually(`a session waiting for ${lock === 'advisory' ? 'an advisory lock' : `a lock on ${lock.table}`}`, async () => {
      const { rows } = await this.sql.query(
        `SELECT 1 FROM pg_locks WHERE NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND ${condition}`,
      );
      return rows.length > 0 ? true : undefined;
    }, timeoutMs, 20);
  }

  async close(): Promise<void> {
    await this.stopLive();
    for (const client of this.held) await client.end().catch(() => undefined);
    await this.sql.end();
    await this.dataSource.destroy();
    const admin = this.kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [this.topic, deadLetterTopic(this.topic)] }).catch(() => undefined);
    await admin.deleteGroups([this.liveGroup]).catch(() => undefined);
    await admin.disconnect();
    await this.drop();
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
