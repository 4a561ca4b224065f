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
  // The rows travel as one JSON document (one native JSON.stringify), in order: positions follow the list, so one
  // aggregate's messages keep their order. A VALUES list with six parameters per row cost the database about
  // twice as much CPU per row once a transaction writes hundreds of messages (a shipping worker's group commit).
  const rows = messages.map((message) => ({
    id: message.envelope.id,
    destination: message.destination,
    topic: message.topic,
    message_key: message.key,
    envelope: message.envelope,
    headers: message.headers === undefined ? trace : { ...trace, ...message.headers },
  }));
  // pg_notify is delivered at commit, and only if the transaction commits: it wakes the relay at once instead of at
  // its next poll. A data-modifying WITH always runs to completion, so insert and notify are one round trip.
  await manager.query(
    `WITH written AS (
       INSERT INTO outbox (id, destination, topic, message_key, envelope, headers)
         SELECT id, destination, topic, message_key, envelope, headers
           FROM ROWS FROM (jsonb_to_recordset($1::jsonb)
                  AS (id uuid, destination text, topic text, message_key text, envelope jsonb, headers jsonb))
                WITH ORDINALITY AS m(id, destination, topic, message_key, envelope, headers, n)
          ORDER BY n
     )
     SELECT pg_notify($2, '')`,
    [JSON.stringify(rows), OUTBOX_CHANNEL],
  );
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
