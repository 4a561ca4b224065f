/**
 * Event sourcing: the PostgreSQL event store. An append inserts versions expectedVersion+1.. of a stream; the
 * UNIQUE (stream_id, version) constraint turns a lost race into a ConcurrencyError, never an overwrite, and the
 * projections and the outbox rows are written in the same transaction. See docs/patterns/04-event-sourcing.md.
 */
import { Counter } from 'prom-client';
import { DataSource, type EntityManager } from 'typeorm';
import {
  type AppendRequest,
  ConcurrencyError,
  type EventStore,
  type ReadStreamOptions,
  type RecordedEvent,
} from '../../application/ports/event-store.port';
import { type Projection } from '../projections/projection';

const UNIQUE_VIOLATION = '23505';
const COLUMNS = 'global_position, stream_id, version, type, schema_version, data, occurred_at, correlation_id, causation_id';

interface EventRow {
  global_position: string;
  stream_id: string;
  version: number;
  type: string;
  schema_version: number;
  data: unknown;
  occurred_at: Date;
  correlation_id: string | null;
  causation_id: string | null;
}

type Queryable = Pick<DataSource | EntityManager, 'query'>;

const appendsCounter = new Counter({
  name: 'shop_event_store_appends_total',
  help: 'Event-store appends by outcome: appended, or conflict (another append to the stream won; the command retries)',
  labelNames: ['outcome'],
});
const eventsCounter = new Counter({ name: 'shop_event_store_events_total', help: 'Events appended to the event store, by type', labelNames: ['type'] });

/** Writes, inside the append's transaction, what the events just recorded mean to other services (the outbox). */
export interface AppendedEventsOutbox {
  add(tx: EntityManager, recorded: readonly RecordedEvent[]): Promise<void>;
}

export class PostgresEventStore implements EventStore {
  private readonly db: EntityManager;

  /**
   * `db` is the pool (each append is its own transaction) or the EntityManager of a transaction opened by the
   * caller (a consumer's inbox transaction): reads then run in it and each append becomes a savepoint of it,
   * so a lost race rolls back only the append and the command can retry inside the same transaction.
   */
  constructor(
    db: DataSource | EntityManager,
    private readonly projections: readonly Projection[],
    private readonly outbox?: AppendedEventsOutbox,
  ) {
    this.db = db instanceof DataSource ? db.manager : db;
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const rows: EventRow[] = await this.db.query(
      `SELECT ${COLUMNS} FROM events
        WHERE stream_id = $1 AND ($2::timestamptz IS NULL OR occurred_at <= $2) AND version > $3
        ORDER BY version LIMIT $4`,
      [streamId, options.until ?? null, options.afterVersion ?? 0, options.limit ?? null],
    );
    return rows.map(toRecordedEvent);
  }

  async append(request: AppendRequest): Promise<RecordedEvent[]> {
    if (request.events.length === 0) return [];
    try {
      const appended = await this.db.transaction(async (tx) => {
        const rows: EventRow[] = await tx.query(
          `INSERT INTO events (stream_id, version, type, schema_version, data, correlation_id, causation_id)
           SELECT $1, $2::int + e.ordinality, e.type, e.schema_version, e.data, $3, $4
             FROM unnest($5::text[], $6::int[], $7::jsonb[]) WITH ORDINALITY AS e(type, schema_version, data, ordinality)
           RETURNING ${COLUMNS}`,
          [
            request.streamId,
            request.expectedVersion,
            request.correlationId ?? null,
            request.causationId ?? null,
            request.events.map((event) => event.type),
            request.events.map((event) => event.schemaVersion),
            request.events.map((event) => JSON.stringify(event.data)),
          ],
        );
        const recorded = rows.map(toRecordedEvent).sort((a, b) => a.version - b.version);
        for (const projection of this.projections) await projection.apply(tx, recorded, 'live');
        await this.outbox?.add(tx, recorded);
        return recorded;
      });
      appendsCounter.inc({ outcome: 'appended' });
      for (const event of appended) eventsCounter.inc({ type: event.type });
      return appended;
    } catch (error) {
      if (error instanceof ConcurrencyError) {
        appendsCounter.inc({ outcome: 'conflict' });
        throw error;
      }
      const constraint = uniqueViolation(error);
      if (constraint) {
        appendsCounter.inc({ outcome: 'conflict' });
        throw new ConcurrencyError(request.streamId, request.expectedVersion, `unique constraint ${constraint}`);
      }
      throw error;
    }
  }
}

/** Events after a global position, in global order: the feed a replay reads in batches. */
export async function readEventsAfter(db: Queryable, afterPosition: number, limit: number): Promise<RecordedEvent[]> {
  const rows: EventRow[] = await db.query(
    `SELECT ${COLUMNS} FROM events WHERE global_position > $1 ORDER BY global_position LIMIT $2`,
    [afterPosition, limit],
  );
  return rows.map(toRecordedEvent);
}

function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    globalPosition: Number(row.global_position),
    streamId: row.stream_id,
    version: row.version,
    type: row.type,
    schemaVersion: row.schema_version,
    data: row.data,
    occurredAt: row.occurred_at,
    correlationId: row.correlation_id,
    causationId: row.causation_id,
  };
}

/** The name of the unique constraint a failed statement violated, if that is why it failed. */
function uniqueViolation(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, constraint } = error as { code?: unknown; constraint?: unknown };
  return code === UNIQUE_VIOLATION ? String(constraint ?? 'unknown') : undefined;
}
