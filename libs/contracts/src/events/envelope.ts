/**
 * The envelope every Kafka and RabbitMQ message carries. `type` names the event or command with its version
 * (`order.placed.v1`); within a version fields are only ever added, a breaking change is a new version.
 * Trace context (traceparent) travels in message headers, not in the envelope.
 */
export interface Envelope<TType extends string = string, TData = unknown> {
  /** Unique per message; consumers deduplicate on it (inbox). */
  readonly id: string;
  readonly type: TType;
  readonly version: number;
  /** ISO-8601 instant at which the fact happened. */
  readonly occurredAt: string;
  /** The business transaction this message belongs to (e.g. the order id, or the request id that started it). */
  readonly correlationId: string;
  /** The id of the message or request that directly caused this one. */
  readonly causationId: string | null;
  readonly data: TData;
}

/** Message header names used on both brokers. */
export const HEADERS = {
  messageId: 'message-id',
  type: 'message-type',
  correlationId: 'correlation-id',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
  attempts: 'x-attempts',
  /** When a task's handler first failed on a dependency that was down (epoch ms); see failure-policy.ts. */
  unavailableSince: 'x-unavailable-since',
  error: 'x-error',
  originalTopic: 'x-original-topic',
} as const;
