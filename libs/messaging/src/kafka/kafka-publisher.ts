import { type Kafka, type Producer, CompressionTypes } from 'kafkajs';
import { HEADERS } from '@shop/contracts';
import { endSpan, startProducerSpan } from '@shop/platform';

export interface KafkaRecord {
  readonly topic: string;
  readonly key: string;
  readonly value: string;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * An idempotent producer (acks from all in-sync replicas, one request in flight so retries cannot reorder),
 * connected lazily and reconnected after a failure. Sends resolve only once the broker has the records.
 * Each record gets a producer span, a child of the trace context its headers carry (an outbox row's) or else of the
 * active one, and leaves with that span's context in its headers for the consumer to continue.
 */
export class KafkaPublisher {
  private producer: Producer | undefined;
  private connecting: Promise<Producer> | undefined;

  constructor(private readonly kafka: Kafka) {}

  async publish(records: readonly KafkaRecord[], timeoutMs = 10_000): Promise<void> {
    if (records.length === 0) return;
    const producer = await this.connected();
    const outgoing = records.map((record) =>
      startProducerSpan(
        `${record.topic} publish`,
        {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'send',
          'messaging.destination.name': record.topic,
          'messaging.kafka.message.key': record.key,
          ...(record.headers[HEADERS.messageId] ? { 'messaging.message.id': record.headers[HEADERS.messageId] } : {}),
        },
        record.headers,
      ),
    );
    const byTopic = new Map<string, KafkaRecord[]>();
    records.forEach((record, index) => {
      byTopic.set(record.topic, [...(byTopic.get(record.topic) ?? []), { ...record, headers: outgoing[index].headers }]);
    });
    try {
      await producer.sendBatch({
        acks: -1,
        timeout: timeoutMs,
        compression: CompressionTypes.None,
        topicMessages: [...byTopic.entries()].map(([topic, messages]) => ({
          topic,
          messages: messages.map((m) => ({ key: m.key, value: m.value, headers: { ...m.headers } })),
        })),
      });
      for (const { span } of outgoing) endSpan(span);
    } catch (error) {
      for (const { span } of outgoing) endSpan(span, error);
      await this.reset();
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.reset();
  }

  private async connected(): Promise<Producer> {
    if (this.producer) return this.producer;
    this.connecting ??= (async () => {
      const producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: true });
      try {
        await producer.connect();
      } catch (error) {
        await producer.disconnect().catch(() => undefined);
        throw error;
      }
      this.producer = producer;
      return producer;
    })().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async reset(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    if (producer) await producer.disconnect().catch(() => undefined);
  }
}
