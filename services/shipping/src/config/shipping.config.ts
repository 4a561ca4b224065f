import { z } from 'zod';
import { env, loadConfig } from '@shop/platform';

/** The only reader of process.env in the shipping service. */
export const shippingConfigSchema = z.object({
  SHIPPING_HTTP_PORT: env.port().default(3005),
  SHIPPING_DATABASE_URL: env.url('postgres', 'postgresql'),
  KAFKA_BROKERS: env.brokers(),
  RABBITMQ_URL: env.url('amqp', 'amqps'),
  LOG_LEVEL: env.logLevel(),
});

export type ShippingConfig = z.infer<typeof shippingConfigSchema>;

export const loadShippingConfig = (source: NodeJS.ProcessEnv = process.env): ShippingConfig => loadConfig(shippingConfigSchema, source);
