import { createLogger, loadConfig, runMigrations, runService } from '@shop/platform';
import { userConfigSchema } from './config/user.config';
import { userDatabase } from './infrastructure/persistence/database';

/** `node dist/migrate.js`: applies pending migrations of the user database, then exits. */
void runService('user-migrate', async () => {
  const config = loadConfig(userConfigSchema.pick({ USER_DATABASE_URL: true, LOG_LEVEL: true }));
  const applied = await runMigrations(userDatabase(config.USER_DATABASE_URL));
  createLogger('user', config.LOG_LEVEL).info({ applied }, applied.length ? 'migrations applied' : 'schema up to date');
});
