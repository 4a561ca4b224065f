/**
 * Group commit (docs/patterns/06-message-queue.md): tasks that arrive together share one database transaction,
 * because a commit per task caps a worker at about 2,000 tasks a second. Each caller still waits for the commit
 * holding its own item, so a task is acked only once its shipment is durable. No timer: a batch is what piled up
 * while the previous one committed, so a lone task is written at once and batches grow only under load.
 */
import { isTransientFailure } from '@shop/platform';

export interface GroupCommitOptions {
  /** Items per transaction at most. */
  readonly maxBatch: number;
  /** Transactions in flight at once (each holds one pooled connection). */
  readonly maxConcurrent: number;
}

interface Waiting<TItem, TResult> {
  readonly item: TItem;
  readonly resolve: (result: TResult) => void;
  readonly reject: (error: unknown) => void;
}

export class GroupCommit<TItem, TResult> {
  private readonly waiting: Array<Waiting<TItem, TResult>> = [];
  private inFlight = 0;
  private scheduled = false;

  /**
   * @param commit writes every item in one transaction and returns one result per item, in order; it must be
   *   all-or-nothing, since a failed batch is written again item by item.
   */
  constructor(
    private readonly commit: (items: readonly TItem[]) => Promise<readonly TResult[]>,
    private readonly options: GroupCommitOptions,
  ) {
    if (options.maxBatch < 1 || options.maxConcurrent < 1) throw new RangeError('maxBatch and maxConcurrent must be at least 1');
  }

  /** Resolves with the item's result once the transaction holding it committed; rejects if it could not be written. */
  submit(item: TItem): Promise<TResult> {
    return new Promise<TResult>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Items waiting for a transaction or inside one. */
  pending(): number {
    return this.waiting.length + this.inFlight;
  }

  /** Flushes after the current I/O callbacks, so items delivered in one burst share a batch. */
  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.options.maxConcurrent || this.waiting.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.inFlight < this.options.maxConcurrent && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.options.maxBatch);
      this.inFlight += 1;
      void this.write(batch).finally(() => {
        this.inFlight -= 1;
        this.schedule();
      });
    }
  }

  private async write(batch: ReadonlyArray<Waiting<TItem, TResult>>): Promise<void> {
    try {
      const results = await this.commit(batch.map((waiting) => waiting.item));
      if (results.length !== batch.length) throw new Error(`commit returned ${results.length} results for ${batch.length} items`);
      batch.forEach((waiting, index) => waiting.resolve(results[index]));
    } catch (error) {
      // One bad item must not fail the others: each is written again in a transaction of its own, one at a time.
      // Unless the database itself is down: then every one of them would fail the same way, each after its own
      // wait for a connection, so the whole batch fails at once and its tasks go to the retry queue together.
      if (batch.length === 1 || isTransientFailure(error)) {
        for (const waiting of batch) waiting.reject(error);
        return;
      }
      for (const waiting of batch) await this.write([waiting]);
    }
  }
}
