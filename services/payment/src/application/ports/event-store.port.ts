/**
 * Event sourcing: the event store keeps each stream as an append-only list of versioned events. Appends are
 * guarded by optimistic concurrency (the expected version), so two writers never overwrite each other.
 * See docs/patterns/04-event-sourcing.md.
 */
import { DomainError } from '@shop/platform/errors';

/** An event about to be appended; the store gives it a version, a global position and a time. */
export interface NewEvent {
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: unknown;
}

/** An event as the store recorded it. */
export interface RecordedEvent {
  readonly globalPosition: number;
  readonly streamId: string;
  readonly version: number;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: unknown;
  readonly occurredAt: Date;
  readonly correlationId: string | null;
  readonly causationId: string | null;
}

/** Where a command came from: carried on every event it causes, so a flow can be followed across services. */
export interface CommandContext {
  readonly correlationId?: string;
  readonly causationId?: string;
}

export interface AppendRequest extends CommandContext {
  readonly streamId: string;
  /** The stream's version when the deciding state was loaded (0 for a new stream). */
  readonly expectedVersion: number;
  readonly events: readonly NewEvent[];
}

/** Which of a stream's events to read, oldest first. */
export interface ReadStreamOptions {
  /** Only events that occurred by then (a temporal query). */
  readonly until?: Date;
  /** Only events after this version. */
  readonly afterVersion?: number;
  /** At most this many. */
  readonly limit?: number;
}

export interface EventStore {
  /** The stream's events, oldest first; with `until`, only those that occurred at or before that instant. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /**
   * Appends the events as versions expectedVersion+1, +2, ... in one transaction, together with the read-model
   * updates they cause. Throws ConcurrencyError when the stream moved past `expectedVersion` meanwhile.
   */
  append(request: AppendRequest): Promise<RecordedEvent[]>;
}

export const EVENT_STORE = Symbol('EVENT_STORE');

/**
 * The state a decision was made on is stale: another writer appended first. The command is retried from freshly
 * loaded state; the store never overwrites.
 */
export class ConcurrencyError extends DomainError {
  constructor(
    readonly streamId: string,
    readonly expectedVersion: number,
    reason: string,
  ) {
    super('EVENT_STORE.CONCURRENCY', 'conflict', `Stream ${streamId} moved past version ${expectedVersion}: ${reason}`, {
      streamId,
      expectedVersion,
    });
    this.name = 'ConcurrencyError';
  }
}
