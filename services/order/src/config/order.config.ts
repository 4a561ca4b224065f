import { z } from 'zod';
import { env, loadConfig } from '@shop/platform';

/** The only reader of process.env in the order service. */
export const orderConfigSchema = z.object({
  ORDER_HTTP_PORT: env.port().default(3002),
  ORDER_GRPC_PORT: env.port().default(50052),
  ORDER_DATABASE_URL: env.url('postgres', 'postgresql'),
  KAFKA_BROKERS: env.brokers(),
  RABBITMQ_URL: env.url('amqp', 'amqps'),
  LOG_LEVEL: env.logLevel(),
});

export type OrderConfig = z.infer<typeof orderConfigSchema>;

export const loadOrderConfig = (source: NodeJS.ProcessEnv = process.env): OrderConfig => loadConfig(orderConfigSchema, source);
