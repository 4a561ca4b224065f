import { z } from 'zod';
import { env, loadConfig } from '@shop/platform';

/** The only reader of process.env in the payment service. */
export const paymentConfigSchema = z.object({
  PAYMENT_HTTP_PORT: env.port().default(3004),
  PAYMENT_GRPC_PORT: env.port().default(50054),
  PAYMENT_DATABASE_URL: env.url('postgres', 'postgresql'),
  KAFKA_BROKERS: env.brokers(),
  /**
   * Put before every Kafka consumer group id (`payment-saga`, `payment-wallets`). Empty in a real deployment;
   * a spec gives its app instance groups of its own, so it neither steals nor replays another instance's messages.
   */
  PAYMENT_CONSUMER_GROUP_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]*$/, 'may hold only letters, digits, ".", "_" and "-"')
    .default(''),
  /**
   * Fault switches (latency, error rate, hang) on this service's gRPC handlers, set at run time with
   * `PUT /admin/chaos`. For demos and failure tests only: off unless set to true, and absent from the app when off.
   */
  CHAOS_ENABLED: env.boolean().default(false),
  LOG_LEVEL: env.logLevel(),
});

export type PaymentConfig = z.infer<typeof paymentConfigSchema>;

export const loadPaymentConfig = (source: NodeJS.ProcessEnv = process.env): PaymentConfig => loadConfig(paymentConfigSchema, source);
