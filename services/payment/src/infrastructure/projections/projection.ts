import { type EntityManager } from 'typeorm';
import { type RecordedEvent } from '../../application/ports/event-store.port';

/**
 * A read model fed by events. `live`: called inside the append's transaction with the events just recorded, so
 * the read model never lags the store. `replay`: called in global order, batch by batch, after `reset`.
 */
export interface Projection {
  readonly name: string;
  /** Empties the read model before a replay. */
  reset(tx: EntityManager): Promise<void>;
  apply(tx: EntityManager, events: readonly RecordedEvent[], mode: 'live' | 'replay'): Promise<void>;
}
