import { z } from 'zod';
import { env, loadConfig } from '@shop/platform';

/** The only reader of process.env in the inventory service. */
export const inventoryConfigSchema = z.object({
  INVENTORY_HTTP_PORT: env.port().default(3003),
  INVENTORY_GRPC_PORT: env.port().default(50053),
  INVENTORY_DATABASE_URL: env.url('postgres', 'postgresql'),
  KAFKA_BROKERS: env.brokers(),
  LOG_LEVEL: env.logLevel(),
});

export type InventoryConfig = z.infer<typeof inventoryConfigSchema>;

export const loadInventoryConfig = (source: NodeJS.ProcessEnv = process.env): InventoryConfig => loadConfig(inventoryConfigSchema, source);
