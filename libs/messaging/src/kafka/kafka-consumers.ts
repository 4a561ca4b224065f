/**
 * Publish-subscribe consumers (docs/patterns/05-publish-subscribe.md). Each subscription is its own consumer group,
 * so every group gets every event of its topics. A thin kafkajs adapter instead of Nest's Kafka transport, because
 * there a handler that keeps throwing leaves its offset uncommitted and blocks the partition forever (nest #14664):
 * here a failing message is retried a bounded number of times, then parked on `<topic>.dlq` and the partition moves on,
 * while a message that fails only because a dependency is down waits for it (failure-policy.ts).
 */
import { Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap, Inject } from '@nestjs/common';
import { type Consumer, type IHeaders, Kafka, type TopicPartitionOffsetAndMetadata } from 'kafkajs';
import { Counter, Gauge } from 'prom-client';
import { deadLetterTopic, type Envelope, HEADERS } from '@shop/contracts';
import { contextFromHeaders, HealthRegistry, inSpan, LOGGER, type Logger, within } from '@shop/platform';
import { parseEnvelope } from '../envelope';
import { afterFailure, DEFAULT_UNAVAILABLE_BUDGET_MS, type FailureState } from '../failure-policy';
import { KafkaPublisher } from './kafka-publisher';

export interface MessageContext {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface KafkaSubscription {
  /** The consumer group: one per independent reader (read model, saga participant, recommendation, ...). */
  readonly groupId: string;
  readonly topics: readonly string[];
  /** Must be idempotent (use the inbox): Kafka delivers at least once, and rebalances redeliver. */
  readonly handle: (message: Envelope, context: MessageContext) => Promise<void>;
  /**
   * Failures of the message itself before it is dead-lettered (5 by default), and the first retry's delay (100 ms by
   * default; each later one twice the one before, at most MAX_RETRY_DELAY_MS). A message that breaks its contract
   * (the handler throws a DomainError of category `invalid`) is dead-lettered at once. Failures on a dependency that
   * is down are not counted: they are retried for up to `unavailableBudgetMs` (failure-policy.ts). The member sends
   * its heartbeats while it waits, so it stays in its group however long that is.
   */
  readonly maxAttempts?: number;
  readonly retryDelayMs?: number;
  readonly unavailableBudgetMs?: number;
}

/** The longest wait between two attempts at one message. */
export const MAX_RETRY_DELAY_MS = 2_000;

/**
 * Waits `ms` inside a kafkajs handler, sending the member's heartbeats every 250 ms so that a long wait does not cost
 * its place in the group (a rebalance makes `heartbeat` throw); returns early once `stopped()` says so.
 */
export async function waitWithHeartbeats(ms: number, heartbeat: () => Promise<void>, stopped: () => boolean = () => false): Promise<void> {
  const until = Date.now() + ms;
  while (!stopped() && Date.now() < until) {
    await heartbeat();
    await new Promise((resolve) => setTimeout(resolve, Math.min(250, until - Date.now())));
  }
}

/** Partitions of the topics a consumer creates, and how many of them it handles at once. */
export const TOPIC_PARTITIONS = 3;

/**
 * How long a group keeps the offsets it has handled before committing them to Kafka. kafkajs's own auto-commit sends
 * an OffsetCommit after every batch, which at a steady trickle of events means one per message per group: more
 * requests than the fetches themselves. The handlers are idempotent (inbox), so committing once a second costs at
 * most a second of redelivered, dropped messages after a crash or a rebalance.
 */
export const OFFSET_COMMIT_INTERVAL_MS = 1_000;

/** How long a stop waits for the handlers in hand, then for the offset commit, then for kafkajs's disconnect. */
const STOP_TIMEOUT_MS = 10_000;

/** One consumer group's kafkajs consumer, and the offsets it has handled and not yet committed. */
interface GroupConsumer {
  readonly groupId: string;
  readonly consumer: Consumer;
  readonly topics: readonly string[];
  running: boolean;
  /** Messages being handled now. */
  inHand: number;
  /** The next offset to read, by `topic:partition`, for every partition with messages handled since the last commit. */
  readonly handled: Map<string, TopicPartitionOffsetAndMetadata>;
  commitTimer: NodeJS.Timeout | undefined;
}

const handledCounter = new Counter({
  name: 'shop_messages_consumed_total',
  help: 'Messages consumed, by group, topic and outcome',
  labelNames: ['group', 'topic', 'outcome'],
});
const lagGauge = new Gauge({ name: 'shop_kafka_consumer_lag', help: 'Messages behind the end of the partition', labelNames: ['group', 'topic', 'partition'] });

export function headersToStrings(headers: IHeaders | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    result[key] = Array.isArray(value) ? value.map(String).join(',') : value.toString();
  }
  return result;
}

@Injectable()
export class KafkaConsumers implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly subscriptions: KafkaSubscription[] = [];
  private readonly consumers = new Map<string, GroupConsumer>();
  private readonly deadLetters: KafkaPublisher;
  private stopping = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly health: HealthRegistry,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.deadLetters = new KafkaPublisher(kafka);
  }

  /** True once every subscribed group has joined and is consuming. */
  async running(): Promise<boolean> {
    return this.subscriptions.every((s) => this.consumers.get(s.groupId)?.running === true);
  }

  subscribe(subscription: KafkaSubscription): void {
    this.subscriptions.push(subscription);
  }

  onApplicationBootstrap(): void {
    if (this.subscriptions.length === 0) return;
    this.health.register('kafka-consumers', async () => {
      const states = Object.fromEntries([...this.consumers.entries()].map(([group, c]) => [group, c.running ? 'running' : 'starting']));
      const missing = this.subscriptions.filter((s) => !this.consumers.get(s.groupId)?.running).map((s) => s.groupId);
      if (missing.length > 0) throw new Error(`consumer groups not running: ${missing.join(', ')}`);
      return states;
    });
    for (const subscription of this.subscriptions) void this.startWithRetry(subscription);
  }

  /**
   * Consumers stop before the database pool closes: each pauses its partitions, finishes the messages in hand, commits
   * what it handled, and leaves its group.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.consumers.values()].map((group) => this.stop(group)));
    await this.deadLetters.close();
  }

  private async stop(group: GroupConsumer): Promise<void> {
    try {
      group.consumer.pause(group.topics.map((topic) => ({ topic })));
    } catch {
      // Not running yet (consumer.run not called): nothing in hand.
    }
    // Bounded: a handler stuck on a dead dependency does not hold the shutdown; its message is not committed.
    const until = Date.now() + STOP_TIMEOUT_MS;
    while (group.inHand > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
    await this.commitHandled(group);
    // kafkajs's disconnect waits for the handler in hand, which may be the stuck one, and then leaves the group: it
    // gets a deadline of its own. Without the leave the broker takes the member out after its session timeout.
    await within(group.consumer.disconnect(), STOP_TIMEOUT_MS, `consumer group ${group.groupId} did not disconnect within ${STOP_TIMEOUT_MS} ms`).catch(
      (error: unknown) => this.logger.warn({ err: error }, 'Kafka consumer did not disconnect in time; stopping without it'),
    );
  }

  /** Commits the offsets handled since the last commit. A failed commit is not retried: those messages come again. */
  private async commitHandled(group: GroupConsumer): Promise<void> {
    clearTimeout(group.commitTimer);
    group.commitTimer = undefined;
    if (group.handled.size === 0) return;
    const offsets = [...group.handled.values()];
    group.handled.clear();
    try {
      await within(group.consumer.commitOffsets(offsets), STOP_TIMEOUT_MS, `offset commit of ${group.groupId} took longer than ${STOP_TIMEOUT_MS} ms`);
    } catch (error) {
      this.logger.warn({ err: error, offsets }, 'offset commit failed; those messages will be delivered again and dropped by the inbox');
    }
  }

  /** Notes a handled (or dead-lettered) message; its offset is committed with the others within the interval. */
  private noteHandled(group: GroupConsumer, topic: string, partition: number, offset: string): void {
    group.handled.set(`${topic}:${partition}`, { topic, partition, offset: (BigInt(offset) + 1n).toString() });
    group.commitTimer ??= setTimeout(() => void this.commitHandled(group), OFFSET_COMMIT_INTERVAL_MS);
  }

  private async startWithRetry(subscription: KafkaSubscription): Promise<void> {
    let delay = 500;
    while (!this.stopping) {
      try {
        await this.start(subscription);
        return;
      } catch (error) {
        this.logger.warn({ err: error, group: subscription.groupId, retryInMs: delay }, 'Kafka consumer could not start; retrying');
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, 10_000);
      }
    }
  }

  private async start(subscription: KafkaSubscription): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const wanted = subscription.topics.flatMap((topic) => [topic, deadLetterTopic(topic)]).filter((topic) => !existing.has(topic));
      if (wanted.length > 0) {
        await admin.createTopics({ topics: wanted.map((topic) => ({ topic, numPartitions: TOPIC_PARTITIONS })), waitForLeaders: true }).catch(() => undefined);
      }
    } finally {
      await admin.disconnect();
    }
    const consumer = this.kafka.consumer({ groupId: subscription.groupId, sessionTimeout: 30_000, heartbeatInterval: 3_000, allowAutoTopicCreation: false });
    const entry: GroupConsumer = { groupId: subscription.groupId, consumer, topics: subscription.topics, running: false, inHand: 0, handled: new Map(), commitTimer: undefined };
    this.consumers.set(subscription.groupId, entry);
    consumer.on(consumer.events.CRASH, (event) => {
      entry.running = false;
      this.logger.error({ err: event.payload.error, group: subscription.groupId }, 'Kafka consumer crashed');
      if (!event.payload.restart && !this.stopping) void this.startWithRetry(subscription);
    });
    consumer.on(consumer.events.GROUP_JOIN, () => {
      entry.running = true;
      // After a rebalance some partitions may belong to another member: their offsets are no longer ours to commit.
      // The group resumes from its committed offsets, and the inbox drops what comes again.
      clearTimeout(entry.commitTimer);
      entry.commitTimer = undefined;
      entry.handled.clear();
    });
    consumer.on(consumer.events.END_BATCH_PROCESS, (event) => {
      const { topic, partition, offsetLag } = event.payload;
      lagGauge.set({ group: subscription.groupId, topic, partition: String(partition) }, Number(offsetLag));
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [...subscription.topics], fromBeginning: true });
      await this.run(subscription, entry);
    } catch (error) {
      // A start that failed halfway leaves no connected consumer behind; startWithRetry makes a new one.
      if (this.consumers.get(subscription.groupId) === entry) this.consumers.delete(subscription.groupId);
      await consumer.disconnect().catch(() => undefined);
      throw error;
    }
    // The application began to shut down while this consumer was starting: the shutdown did not see it, so it stops
    // itself before it handles anything.
    if (this.stopping) await this.stop(entry);
  }

  private async run(subscription: KafkaSubscription, entry: GroupConsumer): Promise<void> {
    await entry.consumer.run({
      // Offsets are committed by this class, once per interval (OFFSET_COMMIT_INTERVAL_MS).
      autoCommit: false,
      // The partitions of one fetch are handled at once, one message at a time per partition, which keeps each key's
      // order while different keys no longer wait on each other's database round trips (kafkajs fetches again once
      // all of them are done). Handlers of different keys must therefore take shared rows in one order (sorted
      // product ids), so that two of them cannot deadlock (docs/patterns/05-publish-subscribe.md).
      partitionsConsumedConcurrently: TOPIC_PARTITIONS,
      eachMessage: async ({ topic, partition, message, heartbeat }) => {
        const context: MessageContext = { topic, partition, offset: message.offset, headers: headersToStrings(message.headers) };
        // The handler runs in a consumer span that continues the producer's trace (docs/observability.md).
        const span = {
          kind: 'consumer' as const,
          parent: contextFromHeaders(context.headers),
          attributes: {
            'messaging.system': 'kafka',
            'messaging.operation.type': 'process',
            'messaging.destination.name': topic,
            'messaging.consumer.group.name': subscription.groupId,
            'messaging.destination.partition.id': String(partition),
            'messaging.kafka.offset': Number(message.offset),
            'messaging.message.id': context.headers[HEADERS.messageId] ?? '',
          },
        };
        entry.inHand++;
        try {
          await inSpan(`${topic} process`, span, () => this.process(subscription, message.value, message.key?.toString() ?? null, context, heartbeat));
        } finally {
          entry.inHand--;
        }
        this.noteHandled(entry, topic, partition, message.offset);
      },
    });
  }

  /**
   * Handles one message, retrying as the failure policy says. Between attempts the member keeps sending heartbeats;
   * if the group rebalances meanwhile the heartbeat throws, the message is left unhandled, and the partition's next
   * owner reads it again. On shutdown the message is left unhandled too, and comes again after the restart.
   */
  private async process(
    subscription: KafkaSubscription,
    value: Buffer | null,
    key: string | null,
    context: MessageContext,
    heartbeat: () => Promise<void>,
  ): Promise<void> {
    let envelope: Envelope;
    try {
      envelope = parseEnvelope(value);
    } catch (error) {
      await this.deadLetter(subscription, value, key, context, error, 1);
      return;
    }
    const policy = { maxAttempts: subscription.maxAttempts ?? 5, unavailableBudgetMs: subscription.unavailableBudgetMs ?? DEFAULT_UNAVAILABLE_BUDGET_MS };
    let state: FailureState = { attempts: 0, unavailableSince: undefined };
    for (let tries = 1; ; tries++) {
      try {
        await subscription.handle(envelope, context);
        handledCounter.inc({ group: subscription.groupId, topic: context.topic, outcome: 'handled' });
        return;
      } catch (error) {
        if (this.stopping) throw error;
        const outcome = afterFailure(error, state, policy);
        if (outcome.deadLetter) {
          await this.deadLetter(subscription, value, key, context, error, tries);
          return;
        }
        state = outcome;
        const waiting = outcome.unavailableSince !== undefined;
        this.logger.warn({ err: error, group: subscription.groupId, type: envelope.type, id: envelope.id, tries, waiting }, waiting ? 'message handling failed on a dependency that is down; waiting for it' : 'message handling failed; retrying');
        await waitWithHeartbeats(Math.min((subscription.retryDelayMs ?? 100) * 2 ** (tries - 1), MAX_RETRY_DELAY_MS), heartbeat, () => this.stopping);
        if (this.stopping) throw error;
      }
    }
  }


  private async deadLetter(
    subscription: KafkaSubscription,
    value: Buffer | null,
    key: string | null,
    context: MessageContext,
    error: unknown,
    attempts: number,
  ): Promise<void> {
    const reason = error instanceof Error ? error.message : String(error);
    this.logger.error({ group: subscription.groupId, topic: context.topic, offset: context.offset, reason, attempts }, 'message dead-lettered');
    // If this publish fails the error propagates, the offset stays uncommitted and the message comes back: never lost.
    await this.deadLetters.publish([
      {
        topic: deadLetterTopic(context.topic),
        key: key ?? '',
        value: value?.toString() ?? '',
        headers: {
          ...context.headers,
          [HEADERS.error]: reason.slice(0, 1_000),
          [HEADERS.originalTopic]: context.topic,
          [HEADERS.attempts]: String(attempts),
          'x-consumer-group': subscription.groupId,
          'x-original-offset': `${context.partition}:${context.offset}`,
        },
      },
    ]);
    handledCounter.inc({ group: subscription.groupId, topic: context.topic, outcome: 'dead-lettered' });
  }
}
