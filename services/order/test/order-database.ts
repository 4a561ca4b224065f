import { createDataSource, runMigrations } from '@shop/platform';
import { createTestDatabase } from '@shop/testing';
import { type DataSource } from 'typeorm';
import { orderDatabase } from '../src/infrastructure/persistence/database';

/** A fresh order database for one spec file, migrated, with a DataSource on it; `close()` destroys both. */
export async function openOrderDatabase(prefix: string): Promise<{ dataSource: DataSource; close: () => Promise<void> }> {
  const database = await createTestDatabase(prefix);
  await runMigrations(orderDatabase(database.url));
  const dataSource = createDataSource(orderDatabase(database.url));
  await dataSource.initialize();
  return {
    dataSource,
    close: async () => {
      await dataSource.destroy();
      await database.drop();
    },
  };
}
