/**
 * Keeps the inbox from growing without end. A row is only needed while its message can still come again: Kafka
 * redelivers what a group has not committed, a reset group re-reads its topics, and both stop at the topic's retention
 * (7 days by default). So rows are kept a day longer than that and then deleted, a bounded batch at a time, once an
 * hour. A message older than that which does come back (replayed by hand from an archive) is no longer recognised
 * by the inbox; the saga steps are also idempotent per order id, but a projection or a counter would apply it again.
 */
import { type BeforeApplicationShutdown, type DynamicModule, Global, Injectable, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { Counter } from 'prom-client';
import { DataSource } from 'typeorm';
import { LOGGER, type Logger } from '@shop/platform';

/** Eight days: one more than Kafka's default topic retention, so every message a group can re-read is still known. */
export const INBOX_RETENTION_MS = 8 * 24 * 3_600_000;

export interface InboxPrunerOptions {
  readonly service: string;
  readonly retentionMs?: number;
  /** Between two prunings; the first comes one minute after the start. */
  readonly intervalMs?: number;
  /** Rows deleted per statement, so no statement holds its locks for long. */
  readonly batchSize?: number;
}

const prunedCounter = new Counter({ name: 'shop_inbox_pruned_total', help: 'Inbox rows deleted after their retention', labelNames: ['service'] });

export class InboxPruner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = false;
  private readonly retentionMs: number;
  private readonly intervalMs: number;
  private readonly batchSize: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly logger: Logger,
    private readonly options: InboxPrunerOptions,
  ) {
    this.retentionMs = options.retentionMs ?? INBOX_RETENTION_MS;
    this.intervalMs = options.intervalMs ?? 3_600_000;
    this.batchSize = options.batchSize ?? 5_000;
  }

  start(): void {
    this.stopped = false;
    this.schedule(Math.min(60_000, this.intervalMs));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Deletes the rows older than the retention, a batch at a time; returns how many. */
  async prune(): Promise<number> {
    let deleted = 0;
    for (;;) {
      const [, count] = (await this.dataSource.query(
        `DELETE FROM inbox WHERE ctid = ANY(ARRAY(
           SELECT ctid FROM inbox WHERE handled_at < now() - ($1 || ' milliseconds')::interval LIMIT $2))`,
        [String(this.retentionMs), this.batchSize],
      )) as [unknown, number];
      deleted += count;
      prunedCounter.inc({ service: this.options.service }, count);
      if (count < this.batchSize || this.stopped) return deleted;
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.prune();
      this.running
        .then((deleted) => {
          if (deleted > 0) this.logger.info({ deleted, service: this.options.service }, 'inbox pruned');
        })
        .catch((error: unknown) => this.logger.warn({ err: error }, 'inbox pruning failed; trying again at the next interval'))
        .finally(() => this.schedule(this.intervalMs));
    }, delayMs);
    this.timer.unref();
  }
}

@Injectable()
class InboxPrunerLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(private readonly pruner: InboxPruner) {}

  onApplicationBootstrap(): void {
    this.pruner.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.pruner.stop();
  }
}

/** Prunes the inbox of one service's database. One process per database is enough; more only repeat the deletes. */
@Global()
@Module({})
export class InboxModule {
  static forRoot(options: InboxPrunerOptions): DynamicModule {
    return {
      module: InboxModule,
      providers: [
        {
          provide: InboxPruner,
          inject: [DataSource, LOGGER],
          useFactory: (dataSource: DataSource, logger: Logger) => new InboxPruner(dataSource, logger, options),
        },
        InboxPrunerLifecycle,
      ],
      exports: [InboxPruner],
    };
  }
}
