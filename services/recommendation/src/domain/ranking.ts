/**
 * The ranking of recommendations, in plain TypeScript so it can be read and tested without a database.
 * Two signals: "bought together" (co-purchase counts summed over the user's purchases) and popularity
 * (purchases weighted above views). The database narrows the candidates; this file decides the order.
 */

/** How many items an answer has when the caller asks for none in particular, and the most it may ask for. */
export const DEFAULT_LIMIT = 10;
export const MAX_LIMIT = 50;

/** A purchase says more about a product than a look at its page: one purchase weighs as much as five views. */
export const POPULARITY_WEIGHTS = { purchase: 5, view: 1 } as const;

export interface ProductCounts {
  readonly productId: string;
  /** Confirmed orders that contained the product. */
  readonly purchases: number;
  readonly views: number;
}

/** A product bought together with the user's purchases: `count` is the co-purchase count summed over them. */
export interface BoughtTogether extends ProductCounts {
  readonly count: number;
}

export type Strategy = 'co-purchase' | 'popular';

export interface RankedProduct {
  readonly productId: string;
  /**
   * Higher is better and the list is ordered by it. Bought-together items score in (1, 2]: 1 + count / the
   * highest count in the answer. Popular items score in (0, 1]: popularity / the highest popularity among the
   * popular candidates. So every bought-together item outranks every popular one.
   */
  readonly score: number;
}

export interface Recommendations {
  readonly items: readonly RankedProduct[];
  /** "co-purchase" when at least one bought-together item is in the answer, else "popular". */
  readonly strategy: Strategy;
}

export interface RankingInput {
  readonly limit: number;
  /** Products the user has bought: never recommended back. */
  readonly purchased: ReadonlySet<string>;
  readonly boughtTogether: readonly BoughtTogether[];
  readonly popular: readonly ProductCounts[];
}

export const popularityOf = (counts: Pick<ProductCounts, 'purchases' | 'views'>): number =>
  counts.purchases * POPULARITY_WEIGHTS.purchase + counts.views * POPULARITY_WEIGHTS.view;

/** Most popular first; ties by product id, so the same counts always give the same order. */
export const byPopularity = (a: ProductCounts, b: ProductCounts): number => popularityOf(b) - popularityOf(a) || compareIds(a.productId, b.productId);

/** Highest summed count first; ties by popularity, then product id. */
export const byCoPurchase = (a: BoughtTogether, b: BoughtTogether): number => b.count - a.count || byPopularity(a, b);

const compareIds = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Bought-together items first, ranked by summed co-purchase count; when they are fewer than `limit`, the rest is
 * filled with popular products. Products the user bought, and products already in the list, are left out.
 */
export function rankRecommendations(input: RankingInput): Recommendations {
  const limit = Math.max(0, Math.floor(input.limit));
  const taken = new Set(input.purchased);
  const together = pick([...input.boughtTogether].filter((c) => c.count > 0).sort(byCoPurchase), taken, limit);
  const popular = pick([...input.popular].filter((c) => popularityOf(c) > 0).sort(byPopularity), taken, limit - together.length);

  const maxCount = Math.max(0, ...together.map((c) => c.count));
  const maxPopularity = Math.max(0, ...input.popular.filter((c) => !input.purchased.has(c.productId)).map(popularityOf));
  const items: RankedProduct[] = [
    ...together.map((c) => ({ productId: c.productId, score: 1 + c.count / maxCount })),
    ...popular.map((c) => ({ productId: c.productId, score: popularityOf(c) / maxPopularity })),
  ];
  return { items, strategy: together.length > 0 ? 'co-purchase' : 'popular' };
}

/** The most popular products, for everyone: the same ranking as the popular fill of `rankRecommendations`. */
export function rankPopular(popular: readonly ProductCounts[], limit: number): readonly RankedProduct[] {
  return rankRecommendations({ limit, purchased: new Set(), boughtTogether: [], popular }).items;
}

function pick<T extends { readonly productId: string }>(ranked: readonly T[], taken: Set<string>, room: number): T[] {
  const picked: T[] = [];
  for (const candidate of ranked) {
    if (picked.length >= room) break;
    if (taken.has(candidate.productId)) continue;
    taken.add(candidate.productId);
    picked.push(candidate);
  }
  return picked;
}
