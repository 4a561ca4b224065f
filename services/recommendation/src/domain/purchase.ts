/**
 * What one confirmed order teaches the model: which distinct products were bought together. Quantities do not
 * matter here: a product counts once per order, so one order of ten mugs is one purchase of mugs, not ten.
 */

/** The distinct product ids of an order's lines, sorted, so every writer touches rows in the same order (no deadlocks). */
export function distinctProducts(lines: ReadonlyArray<{ readonly productId: string }>): string[] {
  return [...new Set(lines.map((line) => line.productId))].sort();
}

/** One direction of a "bought together" relation: `productId` was bought in the same order as `otherProductId`. */
export interface ProductPair {
  readonly productId: string;
  readonly otherProductId: string;
}

/**
 * Every ordered pair of distinct products of an order, both ways (A→B and B→A), sorted by (productId,
 * otherProductId). n products give n·(n−1) pairs; a single-product order gives none.
 */
export function coPurchasePairs(productIds: readonly string[]): ProductPair[] {
  const products = [...new Set(productIds)].sort();
  const pairs: ProductPair[] = [];
  for (const productId of products) {
    for (const otherProductId of products) {
      if (productId !== otherProductId) pairs.push({ productId, otherProductId });
    }
  }
  return pairs;
}
