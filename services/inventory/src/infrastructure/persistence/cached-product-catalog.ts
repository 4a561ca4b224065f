import { type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { PgListener, type PgListenerOptions } from '@shop/platform';
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
  help: 'Catalog reads by where they were answered from: cache; refresh (the changed rows read again first); database (the whole catalog loaded, or not listening)',
  labelNames: ['source'],
});

const summary = ({ description: _description, ...product }: ProductDetails): ProductSummary => product;

/**
 * The catalog read side served from memory. Product reads are the hottest route of the shop (every product page, and
 * every order priced by the order service), and the catalog is small, so each replica keeps all of it. Freshness comes
 * from PostgreSQL: a trigger sends NOTIFY products_changed with the ids of the products each committed statement
 * changed (stock moves included), and a dedicated connection LISTENs for it (migrations 1764310000000 and
 * 1764320000000).
 *
 * The guarantees, and the cost:
 * - A read never answers from a snapshot older than the last notification heard: a notification bumps the generation,
 *   and the next read refreshes the products it named (one query for those rows) or, when it named none (TRUNCATE, a
 *   very large change), reloads everything. This replica's own commands invalidate the products they changed at
 *   commit, before they answer; a change made by another replica is seen once its notification arrives (well under a
 *   millisecond on a local network). `available` is informational anyway: Reserve decides against the database,
 *   under its CHECK constraint.
 * - A refresh patches the snapshot in place only when the same products keep the same names; otherwise (a product
 *   added, removed or renamed) it reloads everything, so the list keeps the database's order by name, in its collation.
 * - While the listener is not connected (start-up, a dropped connection), reads go to the database: a change it could
 *   not hear about never leaves a stale snapshot in place.
 * - Under a constant stream of stock changes the cache queries once per change that a read follows, and reads only
 *   the rows that changed: never more queries than without it.
 */
export class CachedProductCatalog implements ProductCatalog, OnApplicationBootstrap, BeforeApplicationShutdown {
  private generation = 0;
  /** What changed since the cached snapshot's read began: those products, or anything. */
  private changed: Set<string> | 'anything' = 'anything';
  private listening = false;
  private cached: { readonly generation: number; readonly snapshot: Promise<Snapshot> } | undefined;
  private readonly listener: PgListener;

  constructor(
    private readonly source: SqlProductCatalog,
    databaseUrl: string,
    /** How often, and how patiently, the listener checks that its connection is alive (PgListener's defaults). */
    heartbeat: Pick<PgListenerOptions, 'heartbeatIntervalMs' | 'heartbeatTimeoutMs'> = {},
  ) {
    this.listener = new PgListener({
      ...heartbeat,
      url: databaseUrl,
      channel: PRODUCTS_CHANGED_CHANNEL,
      applicationName: 'inventory-catalog-listener',
      onNotification: (payload) => this.invalidate(payload === '' ? undefined : payload.split(',')),
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

  /**
   * Marks products changed (called for every notification, and by this process's own commits): the next read
   * refreshes them. Without ids, anything may have changed and the next read reloads the whole catalog.
   */
  invalidate(productIds?: readonly string[]): void {
    if (productIds?.length === 0) return;
    this.generation++;
    if (!productIds || this.changed === 'anything') this.changed = 'anything';
    else for (const id of productIds) this.changed.add(id);
  }

  /** The snapshot of the current generation (read once, shared by concurrent reads), or none while not listening. */
  private snapshot(): Promise<Snapshot> | undefined {
    if (!this.listening) {
      reads.inc({ source: 'database' });
      return undefined;
    }
    if (this.cached?.generation === this.generation) {
      reads.inc({ source: 'cache' });
      return this.cached.snapshot;
    }
    const changedIds = this.changed === 'anything' ? undefined : [...this.changed];
    this.changed = new Set();
    const previous = changedIds && this.cached?.snapshot;
    reads.inc({ source: previous ? 'refresh' : 'database' });
    // A refresh starts after the changes it covers were heard, and applies on top of the snapshot before it, so a
    // later refresh of the same product always wins over an earlier one.
    const snapshot = previous && changedIds ? this.refresh(previous, changedIds) : this.load();
    const entry = { generation: this.generation, snapshot };
    this.cached = entry;
    // A failed read is not kept: the next read loads everything again (the refreshes built on it fail with it).
    snapshot.catch(() => {
      if (this.cached === entry) this.cached = undefined;
    });
    return snapshot;
  }

  private async load(): Promise<Snapshot> {
    return snapshotOf(await this.source.listWithDetails());
  }

  private async refresh(previous: Promise<Snapshot>, productIds: readonly string[]): Promise<Snapshot> {
    const [base, rows] = await Promise.all([previous, this.source.detailsByIds(productIds)]);
    const fresh = new Map(rows.map((product) => [product.id, product]));
    const sameProductsAndNames = productIds.every((id) => {
      const was = base.byId.get(id);
      return was !== undefined && was.name === fresh.get(id)?.name;
    });
    if (!sameProductsAndNames) return this.load();
    return snapshotOf(base.products.map((product) => fresh.get(product.id) ?? product));
  }
}

const snapshotOf = (products: readonly ProductDetails[]): Snapshot => ({ products, byId: new Map(products.map((product) => [product.id, product])) });
