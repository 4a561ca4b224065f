import { z } from 'zod';
import { env, loadConfig } from '@shop/platform';

/** The only reader of process.env in the gateway. */
export const gatewayConfigSchema = z.object({
  GATEWAY_HTTP_PORT: env.port().default(8080),
  USER_HTTP_URL: env.url('http', 'https'),
  ORDER_HTTP_URL: env.url('http', 'https'),
  INVENTORY_HTTP_URL: env.url('http', 'https'),
  USER_GRPC_ADDRESS: env.hostPort(),
  PAYMENT_GRPC_ADDRESS: env.hostPort(),
  ORDER_GRPC_ADDRESS: env.hostPort(),
  RECOMMENDATION_GRPC_ADDRESS: env.hostPort(),
  KAFKA_BROKERS: env.brokers(),
  LOG_LEVEL: env.logLevel(),
});

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;

export const loadGatewayConfig = (source: NodeJS.ProcessEnv = process.env): GatewayConfig => loadConfig(gatewayConfigSchema, source);
