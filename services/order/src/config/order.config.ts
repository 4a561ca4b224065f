import { z } from 'zod';
import { env, loadConfig } from '@shop/platform';

/** The only reader of process.env in the order service. */
export const orderConfigSchema = z.object({
  ORDER_HTTP_PORT: env.port().default(3002),
  ORDER_GRPC_PORT: env.port().default(50052),
  ORDER_DATABASE_URL: env.url('postgres', 'postgresql'),
  KAFKA_BROKERS: env.brokers(),
  INVENTORY_GRPC_ADDRESS: env.hostPort(),
  PAYMENT_GRPC_ADDRESS: env.hostPort(),
  /** Style used when a request does not say `saga`. */
  ORDER_DEFAULT_SAGA_STYLE: z.enum(['orchestration', 'choreography']).default('orchestration'),
  /** How long an order may stay PENDING before it is cancelled (and what was done is undone). */
  ORDER_SAGA_DEADLINE_MS: env.positiveInt().default(30_000),
  /** Deadline of one call to inventory or payment. */
  ORDER_DEPENDENCY_TIMEOUT_MS: env.positiveInt().default(1_500),
  /** How long an open breaker waits before letting one probe call through. */
  ORDER_BREAKER_HALF_OPEN_MS: env.positiveInt().default(5_000),
  /** Prefix for this instance's Kafka consumer groups; tests use it to get groups of their own. */
  ORDER_CONSUMER_GROUP_PREFIX: z.string().default(''),
  LOG_LEVEL: env.logLevel(),
});

export type OrderConfig = z.infer<typeof orderConfigSchema>;

export const loadOrderConfig = (source: NodeJS.ProcessEnv = process.env): OrderConfig => loadConfig(orderConfigSchema, source);

export const ORDER_CONFIG = Symbol('ORDER_CONFIG');
