import { createDataSource, runMigrations } from '@shop/platform';
import { createTestDatabase } from '@shop/testing';
import { userDatabase } from '../src/infrastructure/persistence/database';
import { userMigrations } from '../src/infrastructure/persistence/migrations';

describe('user migrations', () => {
  let database: { url: string; drop: () => Promise<void> };

  beforeAll(async () => {
    database = await createTestDatabase('user_migrations');
  });

  afterAll(async () => {
    await database.drop();
  });

  it('applies every migration to an empty database, then finds nothing left to apply', async () => {
    const applied = await runMigrations(userDatabase(database.url));
    expect(applied).toEqual(userMigrations.map((migration) => new migration().name));
    expect(await runMigrations(userDatabase(database.url))).toEqual([]);
  });

  it('reverts every migration and applies them again', async () => {
    const dataSource = createDataSource(userDatabase(database.url));
    await dataSource.initialize();
    try {
      for (let i = 0; i < userMigrations.length; i++) await dataSource.undoLastMigration({ transaction: 'each' });
      const remaining = await dataSource.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'schema_migrations'`);
      expect(remaining[0].n).toBe(0);
    } finally {
      await dataSource.destroy();
    }
    expect(await runMigrations(userDatabase(database.url))).toHaveLength(userMigrations.length);
  });
});
