import { createLogger, loadConfig, runMigrations, runService } from '@shop/platform';
import { shippingConfigSchema } from './config/shipping.config';
import { shippingDatabase } from './infrastructure/persistence/database';

/** `node dist/migrate.js`: applies pending migrations of the shipping database, then exits. */
void runService('shipping-migrate', async () => {
  const config = loadConfig(shippingConfigSchema.pick({ SHIPPING_DATABASE_URL: true, LOG_LEVEL: true }));
  const applied = await runMigrations(shippingDatabase(config.SHIPPING_DATABASE_URL));
  createLogger('shipping', config.LOG_LEVEL).info({ applied }, applied.length ? 'migrations applied' : 'schema up to date');
});
