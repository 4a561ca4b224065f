/**
 * Message queue (docs/patterns/06-message-queue.md): RabbitMQ hands each task to exactly one of the competing workers.
 * Manual acks, sent only after the handler's database transaction committed, and batched: one "multiple" ack per
 * burst of settled tasks (ack-window.ts); a bounded prefetch so no worker hoards tasks; a failed task goes to a retry
 * queue whose TTL delays it before it returns to the work queue; after `maxAttempts` it is parked on the dead-letter
 * queue. Kafka carries facts to everyone; this queue hands out work.
 */
import { type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage } from 'amqplib';
import { Counter } from 'prom-client';
import { type Envelope, HEADERS } from '@shop/contracts';
import { contextFromHeaders, failActiveSpan, inSpan, type Logger, within } from '@shop/platform';
import { parseEnvelope } from '../envelope';
import { afterFailure, DEFAULT_UNAVAILABLE_BUDGET_MS } from '../failure-policy';
import { AckWindow } from './ack-window';
import { reportQueueDepth } from './queue-depth';
import { type RabbitMqConnection } from './rabbitmq-connection';

export interface WorkQueueTopology {
  readonly exchange: string;
  readonly routingKey: string;
  readonly queue: string;
  readonly retryExchange: string;
  readonly retryQueue: string;
  readonly deadLetterQueue: string;
}

export interface WorkQueueOptions {
  readonly prefetch: number;
  /** Failures of a task itself before it is parked; failures on a dependency that is down do not count. */
  readonly maxAttempts: number;
  /** The retry queue's TTL: how long a failed task waits before it returns to the work queue. */
  readonly retryDelayMs: number;
  /** How long failures on a dependency that is down are retried before the task is parked (failure-policy.ts). */
  readonly unavailableBudgetMs?: number;
}

/** How long a stop waits for the broker to confirm that the consumer is cancelled. */
const CANCEL_TIMEOUT_MS = 5_000;

const tasksCounter = new Counter({
  name: 'shop_queue_tasks_total',
  help: 'Work-queue tasks by queue and outcome (done, retried, dead-lettered, redelivered)',
  labelNames: ['queue', 'outcome'],
});

/** Declares the exchanges and queues (idempotent). Safe for publishers and consumers to call. */
export async function assertWorkQueue(channel: Channel, topology: WorkQueueTopology, retryDelayMs: number): Promise<void> {
  await channel.assertExchange(topology.exchange, 'direct', { durable: true });
  await channel.assertExchange(topology.retryExchange, 'direct', { durable: true });
  await channel.assertQueue(topology.queue, { durable: true });
  await channel.bindQueue(topology.queue, topology.exchange, topology.routingKey);
  await channel.assertQueue(topology.retryQueue, {
    durable: true,
    arguments: { 'x-message-ttl': retryDelayMs, 'x-dead-letter-exchange': topology.exchange, 'x-dead-letter-routing-key': topology.routingKey },
  });
  await channel.bindQueue(topology.retryQueue, topology.retryExchange, topology.routingKey);
  await channel.assertQueue(topology.deadLetterQueue, { durable: true });
}

export class WorkQueueConsumer {
  private channel: Channel | undefined;
  private acks: AckWindow | undefined;
  private stopped = false;
  private consumerTag: string | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private stopReportingDepth: (() => Promise<void>) | undefined;

  constructor(
    private readonly connection: RabbitMqConnection,
    private readonly topology: WorkQueueTopology,
    private readonly options: WorkQueueOptions,
    private readonly handle: (task: Envelope, delivery: { redelivered: boolean; attempt: number }) => Promise<void>,
    private readonly logger: Logger,
  ) {}

  /** Starts consuming on every (re)connection. */
  start(): void {
    this.connection.onConnect((model) => this.consume(model));
    this.stopReportingDepth = reportQueueDepth(this.connection, [this.topology.queue, this.topology.retryQueue, this.topology.deadLetterQueue]);
  }

  isConsuming(): boolean {
    return this.channel !== undefined;
  }

  /**
   * Stops taking tasks and waits for the ones in hand to finish (and be acked) before the pool closes. The consumer
   * is cancelled first: otherwise each ack of a finished task frees a prefetch slot that the broker fills again, and
   * the tasks it sends meanwhile would be cut off halfway when the channel closes.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.stopReportingDepth?.();
    const channel = this.channel;
    const acks = this.acks;
    const consumerTag = this.consumerTag;
    this.channel = undefined;
    this.consumerTag = undefined;
    // After the broker's cancel-ok no delivery arrives: every task handed to this consumer is in `inFlight` by then.
    if (channel && consumerTag) await within(channel.cancel(consumerTag), CANCEL_TIMEOUT_MS, 'no cancel-ok').catch(() => undefined);
    await Promise.allSettled([...this.inFlight]);
    try {
      acks?.flush();
    } catch {
      // The channel is already closed: its unacked tasks are back in the queue.
    }
    await channel?.close().catch(() => undefined);
  }

  /** Sets up a channel that consumes the queue; a failed set-up closes its channel (the connection calls this again). */
  private async consume(model: ChannelModel): Promise<void> {
    if (this.stopped) return;
    const channel = await model.createConfirmChannel();
    channel.on('error', (error: unknown) => this.logger.warn({ err: error }, 'work queue channel error'));
    channel.on('close', () => {
      if (this.channel === channel) this.channel = undefined;
    });
    try {
      await this.startConsuming(channel);
    } catch (error) {
      if (this.channel === channel) this.channel = undefined;
      await channel.close().catch(() => undefined);
      throw error;
    }
  }

  private async startConsuming(channel: ConfirmChannel): Promise<void> {
    await assertWorkQueue(channel, this.topology, this.options.retryDelayMs);
    await channel.prefetch(this.options.prefetch);
    // Stopped while the channel was being set up: it never starts consuming.
    if (this.stopped) {
      await channel.close().catch(() => undefined);
      return;
    }
    const acks = new AckWindow(channel);
    this.channel = channel;
    this.acks = acks;
    const { consumerTag } = await channel.consume(
      this.topology.queue,
      (message) => {
        if (!message) return;
        acks.track(message);
        const work = this.traced(message, () => this.process(channel, acks, message)).finally(() => this.inFlight.delete(work));
        this.inFlight.add(work);
      },
      { noAck: false },
    );
    this.consumerTag = consumerTag;
  }

  /** Each delivery is handled in a consumer span that continues the trace its headers carry (docs/observability.md). */
  private traced(message: ConsumeMessage, work: () => Promise<void>): Promise<void> {
    const headers = message.properties.headers ?? {};
    const attributes = {
      'messaging.system': 'rabbitmq',
      'messaging.operation.type': 'process',
      'messaging.destination.name': this.topology.queue,
      'messaging.message.id': String(message.properties.messageId ?? ''),
      'messaging.rabbitmq.redelivered': message.fields.redelivered,
      'shop.attempt': Number(headers[HEADERS.attempts] ?? 0) + 1,
    };
    return inSpan(`${this.topology.queue} process`, { kind: 'consumer', parent: contextFromHeaders(headers), attributes }, work);
  }

  private async process(channel: Channel, acks: AckWindow, message: ConsumeMessage): Promise<void> {
    const received = message.properties.headers ?? {};
    const attempt = Number(received[HEADERS.attempts] ?? 0) + 1;
    if (message.fields.redelivered) tasksCounter.inc({ queue: this.topology.queue, outcome: 'redelivered' });
    try {
      const task = parseEnvelope(message.content);
      await this.handle(task, { redelivered: message.fields.redelivered, attempt });
      acks.ack(message);
      tasksCounter.inc({ queue: this.topology.queue, outcome: 'done' });
    } catch (error) {
      failActiveSpan(error);
      const reason = error instanceof Error ? error.message : String(error);
      // The attempts and the start of an outage travel with the task in its headers, from one delivery to the next.
      const since = Number(received[HEADERS.unavailableSince]);
      const outcome = afterFailure(
        error,
        { attempts: attempt - 1, unavailableSince: Number.isFinite(since) && since > 0 ? since : undefined },
        { maxAttempts: this.options.maxAttempts, unavailableBudgetMs: this.options.unavailableBudgetMs ?? DEFAULT_UNAVAILABLE_BUDGET_MS },
      );
      const parked = outcome.deadLetter;
      const headers: Record<string, unknown> = { ...received, [HEADERS.attempts]: outcome.attempts, [HEADERS.error]: reason.slice(0, 1_000) };
      if (outcome.unavailableSince === undefined) delete headers[HEADERS.unavailableSince];
      else headers[HEADERS.unavailableSince] = outcome.unavailableSince;
      try {
        const confirm = channel as Channel & { waitForConfirms(): Promise<void> };
        if (parked) channel.sendToQueue(this.topology.deadLetterQueue, message.content, { ...message.properties, headers, persistent: true });
        else channel.publish(this.topology.retryExchange, this.topology.routingKey, message.content, { ...message.properties, headers, persistent: true });
        await confirm.waitForConfirms();
        acks.ack(message);
        tasksCounter.inc({ queue: this.topology.queue, outcome: parked ? 'dead-lettered' : 'retried' });
        this.logger.warn({ reason, attempt, messageId: message.properties.messageId }, parked ? 'task dead-lettered' : 'task failed; retrying after delay');
      } catch (publishError) {
        // Could not park or delay it: leave it unacked so the broker redelivers it. Never lost.
        this.logger.error({ err: publishError }, 'could not move a failed task; it will be redelivered');
        try {
          acks.requeue(message);
        } catch {
          // The channel is gone: the broker requeues every unacked message of a closed channel by itself.
        }
      }
    }
  }
}
