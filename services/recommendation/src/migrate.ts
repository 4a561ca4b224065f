import { createLogger, loadConfig, runMigrations, runService } from '@shop/platform';
import { recommendationConfigSchema } from './config/recommendation.config';
import { recommendationDatabase } from './infrastructure/persistence/database';

/** `node dist/migrate.js`: applies pending migrations of the recommendation database, then exits. */
void runService('recommendation-migrate', async () => {
  const config = loadConfig(recommendationConfigSchema.pick({ RECOMMENDATION_DATABASE_URL: true, LOG_LEVEL: true }));
  const applied = await runMigrations(recommendationDatabase(config.RECOMMENDATION_DATABASE_URL));
  createLogger('recommendation', config.LOG_LEVEL).info({ applied }, applied.length ? 'migrations applied' : 'schema up to date');
});
