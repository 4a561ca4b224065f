import { createDataSource, runMigrations } from '@shop/platform';
import { createTestDatabase } from '@shop/testing';
import { recommendationDatabase } from '../src/infrastructure/persistence/database';
import { recommendationMigrations } from '../src/infrastructure/persistence/migrations';

describe('recommendation migrations', () => {
  let database: { url: string; drop: () => Promise<void> };

  beforeAll(async () => {
    database = await createTestDatabase('recommendation_migrations');
  });

  afterAll(async () => {
    await database.drop();
  });

  it('applies every migration to an empty database, then finds nothing left to apply', async () => {
    const applied = await runMigrations(recommendationDatabase(database.url));
    expect(applied).toEqual(recommendationMigrations.map((migration) => new migration().name));
    expect(await runMigrations(recommendationDatabase(database.url))).toEqual([]);
  });

  it('reverts every migration and applies them again', async () => {
    const dataSource = createDataSource(recommendationDatabase(database.url));
    await dataSource.initialize();
    try {
      for (let i = 0; i < recommendationMigrations.length; i++) await dataSource.undoLastMigration({ transaction: 'each' });
      const remaining = await dataSource.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'schema_migrations'`);
      expect(remaining[0].n).toBe(0);
    } finally {
      await dataSource.destroy();
    }
    expect(await runMigrations(recommendationDatabase(database.url))).toHaveLength(recommendationMigrations.length);
  });
});
