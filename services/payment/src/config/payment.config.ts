import { z } from 'zod';
import { env, loadConfig } from '@shop/platform';

/** The only reader of process.env in the payment service. */
export const paymentConfigSchema = z.object({
  PAYMENT_HTTP_PORT: env.port().default(3004),
  PAYMENT_GRPC_PORT: env.port().default(50054),
  PAYMENT_DATABASE_URL: env.url('postgres', 'postgresql'),
  KAFKA_BROKERS: env.brokers(),
  LOG_LEVEL: env.logLevel(),
});

export type PaymentConfig = z.infer<typeof paymentConfigSchema>;

export const loadPaymentConfig = (source: NodeJS.ProcessEnv = process.env): PaymentConfig => loadConfig(paymentConfigSchema, source);
