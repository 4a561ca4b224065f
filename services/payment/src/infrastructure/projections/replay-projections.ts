/**
 * Event sourcing: projections are disposable. Replay empties them and rebuilds them from the events alone, in
 * global order and in batches, inside one transaction. TRUNCATE locks the read models until the rebuilt rows
 * commit: an append made meanwhile is not in the replay and waits, then applies its own events on top.
 * See docs/patterns/04-event-sourcing.md.
 */
import { type DataSource } from 'typeorm';
import { readEventsAfter } from '../persistence/postgres-event-store';
import { type Projection } from './projection';

export interface ReplayResult {
  readonly events: number;
  readonly batches: number;
  readonly ms: number;
}

export async function replayProjections(
  dataSource: DataSource,
  projections: readonly Projection[],
  options: { readonly batchSize?: number; readonly onBatch?: (replayed: number) => void } = {},
): Promise<ReplayResult> {
  const batchSize = options.batchSize ?? 2_000;
  const started = performance.now();
  const { events, batches } = await dataSource.transaction(async (tx) => {
    for (const projection of projections) await projection.reset(tx);
    let position = 0;
    let replayed = 0;
    let count = 0;
    for (;;) {
      const batch = await readEventsAfter(tx, position, batchSize);
      if (batch.length === 0) break;
      for (const projection of projections) await projection.apply(tx, batch, 'replay');
      position = batch[batch.length - 1]?.globalPosition ?? position;
      replayed += batch.length;
      count += 1;
      options.onBatch?.(replayed);
    }
    return { events: replayed, batches: count };
  });
  return { events, batches, ms: performance.now() - started };
}
