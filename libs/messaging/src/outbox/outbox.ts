/**
 * Transactional outbox (docs/patterns/05-publish-subscribe.md): a service writes the messages it wants to send into
 * its own `outbox` table in the same database transaction as the state change, so either both happen or neither.
 * The relay (outbox-relay.ts) publishes them afterwards; a broker outage delays messages, it never loses one.
 */
import { type Envelope } from '@shop/contracts';
import { DomainError, traceHeaders } from '@shop/platform';
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
 * The largest message the outbox takes, in bytes of JSON (envelope, headers and key): under Kafka's default
 * message.max.bytes (1 MiB), which the broker applies to every record batch. A bigger message could never be
 * published, and the relay, which keeps messages in order, would stop at it for good; so the transaction that writes
 * it fails instead, and nothing of it is written.
 */
export const OUTBOX_MAX_MESSAGE_BYTES = 1_000_000;

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
  const rows: OutboxRowInput[] = messages.map((message) => ({
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
    [serialized(rows), OUTBOX_CHANNEL],
  );
}

interface OutboxRowInput {
  readonly id: string;
  readonly destination: OutboxMessage['destination'];
  readonly topic: string;
  readonly message_key: string;
  readonly envelope: Envelope;
  readonly headers: Readonly<Record<string, string>>;
}

/** The rows as one JSON document; throws, naming the message, when one is larger than OUTBOX_MAX_MESSAGE_BYTES. */
function serialized(rows: readonly OutboxRowInput[]): string {
  const body = JSON.stringify(rows);
  // All of them together fit: so does each. Only a large write pays for measuring its rows one by one.
  if (body.length * 3 <= OUTBOX_MAX_MESSAGE_BYTES || Buffer.byteLength(body) <= OUTBOX_MAX_MESSAGE_BYTES) return body;
  for (const row of rows) {
    const bytes = Buffer.byteLength(JSON.stringify(row.envelope)) + Buffer.byteLength(JSON.stringify(row.headers)) + Buffer.byteLength(row.message_key);
    if (bytes > OUTBOX_MAX_MESSAGE_BYTES) {
      throw new DomainError(
        'MESSAGE.TOO_LARGE',
        'payload_too_large',
        `${row.envelope.type} would be a ${bytes}-byte message, more than the ${OUTBOX_MAX_MESSAGE_BYTES} bytes the brokers take`,
        { type: row.envelope.type, bytes, limit: OUTBOX_MAX_MESSAGE_BYTES },
      );
    }
  }
  return body;
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
