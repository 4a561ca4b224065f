import { z } from 'zod';
import { env, loadConfig } from '@shop/platform';

/** Letters, digits, dot, dash and underscore: safe inside a Kafka group id and a RabbitMQ exchange or queue name. */
const namePrefix = () =>
  z
    .string()
    .regex(/^[A-Za-z0-9._-]*$/, 'may hold only letters, digits, ".", "_" and "-"')
    .max(100)
    .default('');

/** The only reader of process.env in the shipping service (the app and its workers share it). */
export const shippingConfigSchema = z.object({
  /** REST of the shipping app (GET /shipments/:orderId, health, metrics). */
  SHIPPING_HTTP_PORT: env.port().default(3005),
  /** Health and metrics of one worker process; every worker on a machine needs its own. */
  SHIPPING_WORKER_HTTP_PORT: env.port().default(3015),
  SHIPPING_DATABASE_URL: env.url('postgres', 'postgresql'),
  KAFKA_BROKERS: env.brokers(),
  RABBITMQ_URL: env.url('amqp', 'amqps'),
  /** Tasks a worker holds unacknowledged at once (AMQP prefetch count, at most 65535). */
  SHIPPING_WORKER_PREFETCH: env.positiveInt().max(65_535).default(10),
  /** How long a failed task waits in the retry queue before it returns to the work queue. */
  SHIPPING_RETRY_DELAY_MS: env.positiveInt().default(2_000),
  /** Attempts of one task before it is parked on the dead-letter queue. */
  SHIPPING_MAX_ATTEMPTS: env.positiveInt().max(100).default(5),
  /** Put before the Kafka consumer group id; lets specs and side-by-side installs read with their own groups. */
  SHIPPING_CONSUMER_GROUP_PREFIX: namePrefix(),
  /** Put before every exchange and queue name of the work queue; lets specs and side-by-side installs use their own. */
  SHIPPING_QUEUE_PREFIX: namePrefix(),
  LOG_LEVEL: env.logLevel(),
});

export type ShippingConfig = z.infer<typeof shippingConfigSchema>;

/** Nest injection token of the validated configuration. */
export const SHIPPING_CONFIG = Symbol('SHIPPING_CONFIG');

export const loadShippingConfig = (source: NodeJS.ProcessEnv = process.env): ShippingConfig => loadConfig(shippingConfigSchema, source);
