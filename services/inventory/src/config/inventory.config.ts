import { z } from 'zod';
import { env, loadConfig } from '@shop/platform';

/** The only reader of process.env in the inventory service. */
export const inventoryConfigSchema = z.object({
  INVENTORY_HTTP_PORT: env.port().default(3003),
  INVENTORY_GRPC_PORT: env.port().default(50053),
  INVENTORY_DATABASE_URL: env.url('postgres', 'postgresql'),
  KAFKA_BROKERS: env.brokers(),
  /**
   * Put before the Kafka consumer group id (`inventory-saga`). Empty in a real deployment; a spec gives its app
   * instance a group of its own, so it neither steals nor replays another instance's messages.
   */
  INVENTORY_CONSUMER_GROUP_PREFIX: z
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

export type InventoryConfig = z.infer<typeof inventoryConfigSchema>;

export const loadInventoryConfig = (source: NodeJS.ProcessEnv = process.env): InventoryConfig => loadConfig(inventoryConfigSchema, source);
