import { createDataSource, runMigrations } from '@shop/platform';
import { createTestDatabase, eventually, tcpProxy } from '@shop/testing';
import { Client } from 'pg';
import { type DataSource } from 'typeorm';
import { CachedProductCatalog } from '../src/infrastructure/persistence/cached-product-catalog';
import { inventoryDatabase } from '../src/infrastructure/persistence/database';
import { TypeOrmInventoryTransactions } from '../src/infrastructure/persistence/inventory-transactions';
import { SqlProductCatalog } from '../src/infrastructure/persistence/product-catalog.repository';

/** The catalog as the database holds it, counting what the cache asks of it. */
class CountingCatalog extends SqlProductCatalog {
  wholeLoads = 0;
  refreshed: string[][] = [];

  override async listWithDetails(): ReturnType<SqlProductCatalog['listWithDetails']> {
    this.wholeLoads++;
    return super.listWithDetails();
  }

  override async detailsByIds(productIds: readonly string[]): ReturnType<SqlProductCatalog['detailsByIds']> {
    this.refreshed.push([...productIds].sort());
    return super.detailsByIds(productIds);
  }
}

/** The in-memory catalog against real PostgreSQL: fresh after every committed change, by NOTIFY or by its own commits. */
describe('cached product catalog', () => {
  let database: { url: string; drop: () => Promise<void> };
  let dataSource: DataSource;
  let sql: Client;
  let source: CountingCatalog;
  let cached: CachedProductCatalog;
  let productId: string;

  beforeAll(async () => {
    database = await createTestDatabase('inventory_catalog_cache');
    await runMigrations(inventoryDatabase(database.url));
    dataSource = createDataSource(inventoryDatabase(database.url));
    await dataSource.initialize();
    sql = new Client({ connectionString: database.url });
    await sql.connect();
    source = new CountingCatalog(dataSource);
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
    const transactions = new TypeOrmInventoryTransactions(dataSource, (changed) => cached.invalidate(changed));
    for (let i = 0; i < 20; i++) {
      const before = await stockOf(cached);
      await transactions.run((tx) => tx.stock.giveBack([{ productId, quantity: 1 }]));
      expect(await stockOf(cached)).toBe(before! + 1);
    }
  });

  it('refreshes only the products a change named, in place, and reloads everything when products come, go or are renamed', async () => {
    const [first, second, third] = (await source.list()).map((product) => product.id);
    await cached.list(); // the current generation read
    const loadsBefore = source.wholeLoads;
    source.refreshed = [];

    await sql.query('UPDATE products SET stock = stock + 5 WHERE id = ANY($1::uuid[])', [[first, second]]);
    await eventually('both changes seen', async () => ((await cached.list()).find((p) => p.id === second)?.available === (await source.get(second))!.available ? true : undefined), 5_000, 5);
    await sql.query('UPDATE products SET stock = stock WHERE false'); // changes no row: no notification
    await sql.query('UPDATE products SET stock = stock - 1 WHERE id = $1', [third]);
    await eventually('the third change seen', async () => ((await cached.get(third))?.available === (await source.get(third))!.available ? true : undefined), 5_000, 5);
    expect(await cached.list()).toEqual(await source.list());
    expect(source.wholeLoads).toBe(loadsBefore);
    expect(source.refreshed).toEqual([[first, second].sort(), [third]]);

    const added = '00000000-0000-4000-8000-0000000000aa';
    await sql.query(`INSERT INTO products (id, sku, name, description, price_cents, stock) VALUES ($1, 'SKU-CACHE-1', 'Aaa first by name', 'new', 100, 1)`, [added]);
    await eventually('the new product seen', async () => ((await cached.get(added)) ? true : undefined), 5_000, 5);
    expect(await cached.list()).toEqual(await source.list());
    await sql.query(`UPDATE products SET name = 'Zzz last by name' WHERE id = $1`, [added]);
    await eventually('the rename seen', async () => ((await cached.get(added))?.name === 'Zzz last by name' ? true : undefined), 5_000, 5);
    expect(await cached.list()).toEqual(await source.list());
    await sql.query('DELETE FROM products WHERE id = $1', [added]);
    await eventually('the removal seen', async () => ((await cached.get(added)) ? undefined : true), 5_000, 5);
    expect(await cached.list()).toEqual(await source.list());
    expect(source.wholeLoads).toBe(loadsBefore + 3);
  });

  it('reloads everything on a notification that names no product (TRUNCATE, or more ids than fit in one)', async () => {
    await cached.list();
    const loadsBefore = source.wholeLoads;
    await sql.query(`SELECT pg_notify('products_changed', '')`);
    await eventually('a whole reload', async () => (await cached.list(), source.wholeLoads > loadsBefore ? true : undefined), 5_000, 5);
    expect(await cached.list()).toEqual(await source.list());
  });

  it('notifies the ids a statement changed, and nothing for a statement that changed none', async () => {
    const listener = new Client({ connectionString: database.url });
    await listener.connect();
    const payloads: string[] = [];
    listener.on('notification', (message) => payloads.push(message.payload ?? ''));
    await listener.query('LISTEN products_changed');
    try {
      const ids = (await source.list()).slice(0, 3).map((product) => product.id);
      await sql.query('UPDATE products SET stock = stock WHERE false');
      await sql.query('UPDATE products SET stock = stock + 1 WHERE id = ANY($1::uuid[])', [ids]);
      await eventually('the notification', async () => (payloads.length > 0 ? true : undefined), 5_000, 5);
      expect(payloads.map((payload) => payload.split(',').sort())).toEqual([[...ids].sort()]);
    } finally {
      await listener.end();
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

  it('takes a listener connection that went silent for dead: stops serving the snapshot, reconnects and reads fresh', async () => {
    // The listener reaches PostgreSQL through a proxy that the spec freezes: the connection stays open and carries
    // nothing, as when the server's host is gone without a word. Reads still go straight to the database.
    const direct = new URL(database.url);
    const proxy = await tcpProxy(direct.hostname, Number(direct.port || 5432));
    const proxied = new URL(database.url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    const silent = new CachedProductCatalog(source, proxied.toString(), { heartbeatIntervalMs: 200, heartbeatTimeoutMs: 500 });
    silent.onApplicationBootstrap();
    try {
      await eventually('listener connected', async () => (silent.isListening ? true : undefined), 10_000);
      await sql.query('UPDATE products SET stock = 60 WHERE id = $1', [productId]);
      await eventually('the change heard', async () => ((await stockOf(silent)) === 60 ? true : undefined), 5_000, 5);

      proxy.freeze();
      await eventually('the silent connection taken for dead', async () => (silent.isListening ? undefined : true), 5_000, 5);
      // No notification can arrive now; the change is read from the database.
      await sql.query('UPDATE products SET stock = 61 WHERE id = $1', [productId]);
      expect(await stockOf(silent)).toBe(61);

      await proxy.restore();
      await eventually('listener back', async () => (silent.isListening ? true : undefined), 20_000);
      await sql.query('UPDATE products SET stock = 62 WHERE id = $1', [productId]);
      await eventually('the change heard after reconnecting', async () => ((await stockOf(silent)) === 62 ? true : undefined), 5_000, 5);
    } finally {
      await silent.beforeApplicationShutdown();
      await proxy.close();
    }
  }, 60_000);
});
