import { createLogger, loadConfig, runMigrations, runService } from '@shop/platform';
import { orderConfigSchema } from './config/order.config';
import { orderDatabase } from './infrastructure/persistence/database';

/** `node dist/migrate.js`: applies pending migrations of the order database, then exits. */
void runService('order-migrate', async () => {
  const config = loadConfig(orderConfigSchema.pick({ ORDER_DATABASE_URL: true, LOG_LEVEL: true }));
  const applied = await runMigrations(orderDatabase(config.ORDER_DATABASE_URL));
  createLogger('order', config.LOG_LEVEL).info({ applied }, applied.length ? 'migrations applied' : 'schema up to date');
});
