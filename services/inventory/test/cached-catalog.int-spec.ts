import { createDataSource, runMigrations } from '@shop/platform';
import { createTestDatabase, eventually } from '@shop/testing';
import { Client } from 'pg';
import { type DataSource } from 'typeorm';
import { CachedProductCatalog } from '../src/infrastructure/persistence/cached-product-catalog';
import { inventoryDatabase } from '../src/infrastructure/persistence/database';
import { TypeOrmInventoryTransactions } from '../src/infrastructure/persistence/inventory-transactions';
import { SqlProductCatalog } from '../src/infrastructure/persistence/product-catalog.repository';

/** The in-memory catalog against real PostgreSQL: fresh after every committed change, by NOTIFY or by its own commits. */
describe('cached product catalog', () => {
  let database: { url: string; drop: () => Promise<void> };
  let dataSource: DataSource;
  let sql: Client;
  let source: SqlProductCatalog;
  let cached: CachedProductCatalog;
  let productId: string;

  beforeAll(async () => {
    database = await createTestDatabase('inventory_catalog_cache');
    await runMigrations(inventoryDatabase(database.url));
    dataSource = createDataSource(inventoryDatabase(database.url));
    await dataSource.initialize();
    sql = new Client({ connectionString: database.url });
    await sql.connect();
    source = new SqlProductCatalog(dataSource);
    cached = new CachedProductCatalog(source, database.url);
    productId = (await source.list())[0].id;
  });

  afterAll(async () => {
    await cached?.beforeApplicationShutdown();
    await sql?.end();
    await dataSource?.destroy();
    await database?.drop();
  });

  const stockOf = async (catalog: { get: SqlProductCatalog['get'] }): Promise<number | undefined> => (await catalog.get(productId))?.available;

  it('reads from the database until its listener is connected, and answers the same once it is', async () => {
    expect(cached.isListening).toBe(false);
    expect(await cached.list()).toEqual(await source.list());
    cached.onApplicationBootstrap();
    await eventually('listener connected', async () => (cached.isListening ? true : undefined), 10_000);
    expect(await cached.list()).toEqual(await source.list());
    expect(await cached.get(productId)).toEqual(await source.get(productId));
    const ids = (await source.list()).slice(0, 3).map((product) => product.id);
    expect(await cached.byIds([...ids, '00000000-0000-4000-8000-000000000000'])).toEqual(await source.byIds(ids));
    expect(await cached.get('00000000-0000-4000-8000-000000000000')).toBeUndefined();
  });

  it("sees another replica's committed change once its NOTIFY arrives", async () => {
    const before = await stockOf(cached);
    await sql.query('UPDATE products SET stock = stock - 3 WHERE id = $1', [productId]);
    await eventually('the change seen', async () => ((await stockOf(cached)) === before! - 3 ? true : undefined), 5_000, 5);
    expect((await cached.list()).find((product) => product.id === productId)?.available).toBe(before! - 3);
  });

  it("sees its own process's commits before the command answers, without waiting for the notification", async () => {
    const transactions = new TypeOrmInventoryTransactions(dataSource, () => cached.invalidate());
    for (let i = 0; i < 20; i++) {
      const before = await stockOf(cached);
      await transactions.run((tx) => tx.manager.query('UPDATE products SET stock = stock + 1 WHERE id = $1', [productId]));
      expect(await stockOf(cached)).toBe(before! + 1);
    }
  });

  it('never serves a snapshot across a dropped listener: reconnects and reads fresh', async () => {
    await sql.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'inventory-catalog-listener' AND datname = current_database()`);
    await eventually('listener dropped', async () => (cached.isListening ? undefined : true), 5_000, 5);
    await sql.query('UPDATE products SET stock = 77 WHERE id = $1', [productId]);
    expect(await stockOf(cached)).toBe(77);
    await eventually('listener back', async () => (cached.isListening ? true : undefined), 10_000);
    expect(await stockOf(cached)).toBe(77);
    await sql.query('UPDATE products SET stock = 78 WHERE id = $1', [productId]);
    await eventually('the change seen after reconnecting', async () => ((await stockOf(cached)) === 78 ? true : undefined), 5_000, 5);
  });
});
