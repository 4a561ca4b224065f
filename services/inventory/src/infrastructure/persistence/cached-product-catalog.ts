import { type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { PgListener } from '@shop/platform';
import { Counter } from 'prom-client';
import { type ProductCatalog, type ProductDetails, type ProductSummary } from '../../application/ports/product-catalog.port';
import { type SqlProductCatalog } from './product-catalog.repository';

export const PRODUCTS_CHANGED_CHANNEL = 'products_changed';

interface Snapshot {
  /** Every product, ordered by name then id (the order of `list()`). */
  readonly products: readonly ProductDetails[];
  readonly byId: ReadonlyMap<string, ProductDetails>;
}

const reads = new Counter({
  name: 'shop_catalog_reads_total',
  help: 'Catalog reads by where they were answered from: cache, or database (cache being loaded after a change, or not listening)',
  labelNames: ['source'],
});

const summary = ({ description: _description, ...product }: ProductDetails): ProductSummary => product;

/**
 * The catalog read side served from memory. Product reads are the hottest route of the shop (every product page, and
 * every order priced by the order service), and the catalog is small, so each replica keeps all of it and reloads it
 * after a change. Freshness comes from PostgreSQL: a trigger sends NOTIFY products_changed on every committed change to
 * `products` (stock moves included), and a dedicated connection LISTENs for it (migration 1764310000000).
 *
 * The guarantees, and the cost:
 * - A read never answers from a snapshot older than the last notification heard: a notification bumps the generation,
 *   and the next read loads anew. This replica's own commands invalidate at commit, before they answer; a change made
 *   by another replica is seen once its notification arrives (well under a millisecond on a local network).
 *   `available` is informational anyway: Reserve decides against the database, under its CHECK constraint.
 * - While the listener is not connected (start-up, a dropped connection), reads go to the database: a change it could
 *   not hear about never leaves a stale snapshot in place.
 * - Under a constant stream of stock changes the cache is reloaded once per change that a read follows: never more
 *   queries than without it.
 */
export class CachedProductCatalog implements ProductCatalog, OnApplicationBootstrap, BeforeApplicationShutdown {
  private generation = 0;
  private listening = false;
  private cached: { readonly generation: number; readonly snapshot: Promise<Snapshot> } | undefined;
  private readonly listener: PgListener;

  constructor(
    private readonly source: SqlProductCatalog,
    databaseUrl: string,
  ) {
    this.listener = new PgListener({
      url: databaseUrl,
      channel: PRODUCTS_CHANGED_CHANNEL,
      applicationName: 'inventory-catalog-listener',
      onNotification: () => this.invalidate(),
      onListening: (listening) => {
        this.listening = listening;
        this.invalidate();
      },
    });
  }

  /** Whether the listener is connected, i.e. whether reads may be served from memory. */
  get isListening(): boolean {
    return this.listening;
  }

  onApplicationBootstrap(): void {
    this.listener.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.listener.stop();
  }

  async list(): Promise<ProductSummary[]> {
    const snapshot = this.snapshot();
    if (!snapshot) return this.source.list();
    return (await snapshot).products.map(summary);
  }

  async get(productId: string): Promise<ProductDetails | undefined> {
    const snapshot = this.snapshot();
    if (!snapshot) return this.source.get(productId);
    return (await snapshot).byId.get(productId);
  }

  async byIds(productIds: readonly string[]): Promise<ProductSummary[]> {
    const snapshot = this.snapshot();
    if (!snapshot) return this.source.byIds(productIds);
    const wanted = new Set(productIds);
    return (await snapshot).products.filter((product) => wanted.has(product.id)).map(summary);
  }

  /** Drops the snapshot: called on every notification, and by this process's own commits. */
  invalidate(): void {
    this.generation++;
  }

  /** The snapshot of the current generation (loading it once, shared by concurrent reads), or none while not listening. */
  private snapshot(): Promise<Snapshot> | undefined {
    if (!this.listening) {
      reads.inc({ source: 'database' });
      return undefined;
    }
    if (this.cached?.generation === this.generation) {
      reads.inc({ source: 'cache' });
      return this.cached.snapshot;
    }
    reads.inc({ source: 'database' });
    const snapshot = this.load();
    const entry = { generation: this.generation, snapshot };
    this.cached = entry;
    // A failed load is not kept: the next read tries again.
    snapshot.catch(() => {
      if (this.cached === entry) this.cached = undefined;
    });
    return snapshot;
  }

  private async load(): Promise<Snapshot> {
    const products = await this.source.listWithDetails();
    return { products, byId: new Map(products.map((product) => [product.id, product])) };
  }
}
