/**
 * Transactional outbox (docs/patterns/05-publish-subscribe.md): a service writes the messages it wants to send into
 * its own `outbox` table in the same database transaction as the state change, so either both happen or neither.
 * The relay (outbox-relay.ts) publishes them afterwards; a broker outage delays messages, it never loses one.
 */
import { type Envelope } from '@shop/contracts';
import { traceHeaders } from '@shop/platform';
import { type EntityManager } from 'typeorm';

export interface OutboxMessage {
  readonly destination: 'kafka' | 'rabbitmq';
  /** Kafka topic, or RabbitMQ exchange. */
  readonly topic: string;
  /** Kafka key (the aggregate id, so one aggregate's messages stay in order), or RabbitMQ routing key. */
  readonly key: string;
  readonly envelope: Envelope;
  readonly headers?: Readonly<Record<string, string>>;
}

export const OUTBOX_CHANNEL = 'outbox';

/**
 * Adds messages to the outbox inside the caller's transaction (`manager` must be the transaction's manager).
 * Each row keeps the active trace context in its headers, so the relay's publish and every consumer continue the
 * trace of the work that wrote it (docs/observability.md).
 */
export async function addToOutbox(manager: EntityManager, messages: readonly OutboxMessage[]): Promise<void> {
  if (messages.length === 0) return;
  const trace = traceHeaders();
  const values: unknown[] = [];
  const rows = messages.map((message, index) => {
    const base = index * 6;
    values.push(
      message.envelope.id,
      message.destination,
      message.topic,
      message.key,
      JSON.stringify(message.envelope),
      JSON.stringify({ ...trace, ...message.headers }),
    );
    return `($${base + 1}, $${base + 2}, $${base + 3}, $${base + 4}, $${base + 5}::jsonb, $${base + 6}::jsonb)`;
  });
  await manager.query(
    `INSERT INTO outbox (id, destination, topic, message_key, envelope, headers) VALUES ${rows.join(', ')}`,
    values,
  );
  // Delivered at commit, and only if the transaction commits: wakes the relay at once instead of at its next poll.
  await manager.query(`SELECT pg_notify($1, '')`, [OUTBOX_CHANNEL]);
}

/** Shorthand for a Kafka event keyed by its aggregate id. */
export const kafkaMessage = (topic: string, key: string, envelope: Envelope, headers?: Record<string, string>): OutboxMessage => ({
  destination: 'kafka',
  topic,
  key,
  envelope,
  headers,
});

/** Shorthand for a RabbitMQ command to an exchange with a routing key. */
export const rabbitMessage = (exchange: string, routingKey: string, envelope: Envelope, headers?: Record<string, string>): OutboxMessage => ({
  destination: 'rabbitmq',
  topic: exchange,
  key: routingKey,
  envelope,
  headers,
});
