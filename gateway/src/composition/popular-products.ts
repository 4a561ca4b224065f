/**
 * The fallback of the recommendation breaker (docs/patterns/03-circuit-breaker.md) and of the dashboard's
 * recommendations part (docs/patterns/10-api-composition.md): popular items, i.e. the last "popular"
 * answer the recommendation service gave (the same for everyone, so safe to show any user), else the
 * first items of inventory's catalog with score 0.
 */
import { Inject, Injectable } from '@nestjs/common';
import { InventoryHttpClient } from '../clients/inventory.http-client';
import { type Recommendation, type Recommendations } from '../clients/recommendation.grpc-client';

export type CatalogSource = Pick<InventoryHttpClient, 'listProducts'>;

/** The catalog fallback is kept this long, so a recommendation outage does not become load on inventory. */
const CATALOG_TTL_MS = 30_000;

@Injectable()
export class PopularProducts {
  private lastPopular: Recommendation[] | undefined;
  private catalog: { items: Recommendation[]; at: number } | undefined;

  constructor(@Inject(InventoryHttpClient) private readonly inventory: CatalogSource) {}

  /** Keeps the latest non-personal answer of the recommendation service. */
  remember(answer: Recommendations): void {
    if (answer.strategy === 'popular' && answer.items.length > 0) this.lastPopular = answer.items;
  }

  /** What is known without calling anything: the last popular answer, else the cached catalog items. */
  cached(limit: number): Recommendation[] {
    return (this.lastPopular ?? this.catalog?.items ?? []).slice(0, limit);
  }

  /** Popular items, from memory or from inventory's catalog; [] when neither is available. */
  async fallback(limit: number, requestId: string): Promise<Recommendation[]> {
    if (this.lastPopular) return this.lastPopular.slice(0, limit);
    if (this.catalog && Date.now() - this.catalog.at < CATALOG_TTL_MS) return this.catalog.items.slice(0, limit);
    try {
      const response = await this.inventory.listProducts({ requestId });
      if (response.status !== 200) return this.cached(limit);
      const products: unknown = JSON.parse(response.body.toString());
      const list = Array.isArray(products) ? products : [];
      const items = list
        .map((product: unknown) => (product as { id?: unknown }).id)
        .filter((id): id is string => typeof id === 'string')
        .slice(0, 20)
        .map((productId) => ({ productId, score: 0 }));
      this.catalog = { items, at: Date.now() };
      return items.slice(0, limit);
    } catch {
      return this.cached(limit);
    }
  }
}
