import { createLogger, loadConfig, runMigrations, runService } from '@shop/platform';
import { inventoryConfigSchema } from './config/inventory.config';
import { inventoryDatabase } from './infrastructure/persistence/database';

/** `node dist/migrate.js`: applies pending migrations of the inventory database, then exits. */
void runService('inventory-migrate', async () => {
  const config = loadConfig(inventoryConfigSchema.pick({ INVENTORY_DATABASE_URL: true, LOG_LEVEL: true }));
  const applied = await runMigrations(inventoryDatabase(config.INVENTORY_DATABASE_URL));
  createLogger('inventory', config.LOG_LEVEL).info({ applied }, applied.length ? 'migrations applied' : 'schema up to date');
});
