import { createLogger, loadConfig, runMigrations, runService } from '@shop/platform';
import { paymentConfigSchema } from './config/payment.config';
import { paymentDatabase } from './infrastructure/persistence/database';

/** `node dist/migrate.js`: applies pending migrations of the payment database, then exits. */
void runService('payment-migrate', async () => {
  const config = loadConfig(paymentConfigSchema.pick({ PAYMENT_DATABASE_URL: true, LOG_LEVEL: true }));
  const applied = await runMigrations(paymentDatabase(config.PAYMENT_DATABASE_URL));
  createLogger('payment', config.LOG_LEVEL).info({ applied }, applied.length ? 'migrations applied' : 'schema up to date');
});
