import { type INestApplication } from '@nestjs/common';
import { CONSUMER_GROUPS, grpcServerOf, inventoryV1, TOPICS } from '@shop/contracts';
import { createGrpcClient, createLogger, runMigrations, startService } from '@shop/platform';
import { createTestDatabase, freePort, kafkaBrokers, specKafka, startGroupsAtEnd } from '@shop/testing';
import { loadInventoryConfig } from '../src/config/inventory.config';
import { inventoryDatabase } from '../src/infrastructure/persistence/database';
import { CATALOG, type CatalogProduct } from '../src/infrastructure/persistence/seed/catalog';
import { InventoryModule } from '../src/inventory.module';

/** A fresh, migrated inventory database for one spec file. */
export async function migratedDatabase(prefix: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const database = await createTestDatabase(prefix);
  await runMigrations(inventoryDatabase(database.url));
  return database;
}

/** The inventory app started in-process on free ports, with its generated gRPC client. */
export interface RunningInventory {
  readonly app: INestApplication;
  readonly client: inventoryV1.InventoryServiceClient;
  readonly baseUrl: string;
}

/**
 * Starts the inventory app as main.ts does, against `databaseUrl` and the real Kafka. Its saga consumer group is its
 * own (`groupPrefix`) and starts at the end of the shared topics, so it reacts only to what the spec publishes after.
 */
export async function startInventoryApp(databaseUrl: string, groupPrefix: string): Promise<RunningInventory> {
  await startGroupsAtEnd(await specKafka('inventory-spec'), [`${groupPrefix}${CONSUMER_GROUPS.inventorySaga}`], [TOPICS.orders, TOPICS.payments]);
  const [httpPort, grpcPort] = [await freePort(), await freePort()];
  const config = loadInventoryConfig({
    INVENTORY_DATABASE_URL: databaseUrl,
    INVENTORY_HTTP_PORT: String(httpPort),
    INVENTORY_GRPC_PORT: String(grpcPort),
    KAFKA_BROKERS: (await kafkaBrokers()).join(','),
    INVENTORY_CONSUMER_GROUP_PREFIX: groupPrefix,
    LOG_LEVEL: 'silent',
  });
  const logger = createLogger('inventory', config.LOG_LEVEL);
  const app = await startService({
    service: 'inventory',
    logger,
    module: InventoryModule.register(config, logger),
    httpPort,
    host: '127.0.0.1',
    grpc: grpcServerOf('inventory', `127.0.0.1:${grpcPort}`),
  });
  return { app, client: createGrpcClient(inventoryV1.InventoryServiceClient, `127.0.0.1:${grpcPort}`), baseUrl: `http://127.0.0.1:${httpPort}` };
}

/** A product of the seed catalog by its SKU (the app seeds its database with this catalog). */
export function catalogProduct(sku: string): CatalogProduct {
  const found = CATALOG.find((candidate) => candidate.sku === sku);
  if (!found) throw new Error(`No product ${sku} in the seed catalog`);
  return found;
}
