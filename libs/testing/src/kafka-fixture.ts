import { randomUUID } from 'node:crypto';
import { type Envelope } from '@shop/contracts';
import { createKafka, TOPIC_PARTITIONS } from '@shop/messaging';
import { eventually, kafkaBrokers } from './infrastructure';
import { type Consumer, type Kafka } from 'kafkajs';

/**
 * Kafka for component specs, on the real broker whose topics other specs and a running shop share: every
 * group a spec creates starts at the current end of its topics (never replaying their history), and what a
 * spec reads back is filtered by ids only that spec made.
 */
export async function specKafka(clientId: string): Promise<Kafka> {
  return createKafka({ clientId, brokers: await kafkaBrokers() });
}

/** Creates the topics that do not exist yet, with as many partitions as the consumers of libs/messaging give theirs. */
export async function ensureTopics(kafka: Kafka, topics: readonly string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((topic) => !existing.has(topic));
    if (missing.length > 0) {
      await admin.createTopics({ topics: missing.map((topic) => ({ topic, numPartitions: TOPIC_PARTITIONS })), waitForLeaders: true }).catch(() => undefined);
    }
  } finally {
    await admin.disconnect();
  }
}

/**
 * Commits the current end of every partition of `topics` for each group that has never run, so the group
 * starts at "now": an app's consumer groups (whose consumers would otherwise read the shared topics from the
 * beginning) see only what is published after this call.
 */
export async function startGroupsAtEnd(kafka: Kafka, groupIds: readonly string[], topics: readonly string[]): Promise<void> {
  await ensureTopics(kafka, topics);
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (const topic of topics) {
      const ends = await admin.fetchTopicOffsets(topic);
      for (const groupId of groupIds) {
        await admin.setOffsets({ groupId, topic, partitions: ends.map(({ partition, high }) => ({ partition, offset: high })) });
      }
    }
  } finally {
    await admin.disconnect();
  }
}

/** Publishes envelopes to a topic as the outbox relay does: keyed by aggregate id, JSON value, id and type in headers. */
export async function publish(kafka: Kafka, topic: string, key: string, envelopes: readonly Envelope[]): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    await producer.send({
      topic,
      acks: -1,
      messages: envelopes.map((message) => ({
        key,
        value: JSON.stringify(message),
        headers: { 'message-id': message.id, 'message-type': message.type },
      })),
    });
  } finally {
    await producer.disconnect();
  }
}

export interface RecordedMessage {
  readonly topic: string;
  readonly key: string;
  readonly envelope: Envelope;
}

/** Reads everything published to some topics from the moment it starts, in its own consumer group. */
export class TopicRecorder {
  private constructor(
    private readonly consumer: Consumer,
    readonly received: RecordedMessage[],
  ) {}

  static async start(kafka: Kafka, topics: readonly string[]): Promise<TopicRecorder> {
    const groupId = `spec-recorder-${randomUUID()}`;
    await startGroupsAtEnd(kafka, [groupId], topics);
    const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
    const received: RecordedMessage[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: [...topics], fromBeginning: false });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        received.push({ topic, key: message.key?.toString() ?? '', envelope: JSON.parse(message.value?.toString() ?? 'null') as Envelope });
      },
    });
    return new TopicRecorder(consumer, received);
  }

  /** The messages received so far of one type whose data matches `where`. */
  find<TData>(type: string, where: (data: TData) => boolean): Array<RecordedMessage & { envelope: Envelope<string, TData> }> {
    return this.received.filter(
      (message): message is RecordedMessage & { envelope: Envelope<string, TData> } =>
        message.envelope.type === type && where(message.envelope.data as TData),
    );
  }

  /** Waits until `count` messages of `type` match `where`, and returns them. */
  async waitFor<TData>(
    type: string,
    where: (data: TData) => boolean,
    count = 1,
    timeoutMs = 30_000,
  ): Promise<Array<RecordedMessage & { envelope: Envelope<string, TData> }>> {
    return eventually(`${count} × ${type}`, async () => {
      const found = this.find(type, where);
      return found.length >= count ? found : undefined;
    }, timeoutMs);
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}
