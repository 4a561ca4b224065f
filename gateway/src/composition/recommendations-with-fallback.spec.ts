import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { DependencyUnavailableError } from '@shop/platform';
import { type GrpcCallOptions } from '../clients/upstream-grpc';
import { type Recommendations } from '../clients/recommendation.grpc-client';
import { PopularProducts } from './popular-products';
import { RecommendationsWithFallback } from './recommendations-with-fallback';

const catalog = [randomUUID(), randomUUID()].map((id) => ({ id, sku: 'SKU', name: 'Product', priceCents: 100, available: 1 }));
const popularAnswer: Recommendations = { items: [{ productId: randomUUID(), score: 7 }], strategy: 'popular' };

function withSource(getRecommendations: (options: GrpcCallOptions) => Promise<Recommendations>): { recommendations: RecommendationsWithFallback; popular: PopularProducts } {
  const popular = new PopularProducts({
    listProducts: async () => ({ status: 200, contentType: 'application/json', body: Buffer.from(JSON.stringify(catalog)) }),
  });
  const source = { getRecommendations: (_userId: string, _limit: number, options: GrpcCallOptions) => getRecommendations(options) };
  return { recommendations: new RecommendationsWithFallback(source, popular, pino({ level: 'silent' })), popular };
}

describe('RecommendationsWithFallback', () => {
  it('answers what the recommendation service answered', async () => {
    const { recommendations } = withSource(async () => ({ items: [{ productId: catalog[0].id, score: 0.5 }], strategy: 'co-purchase' }));
    await expect(recommendations.get('u', 5, { requestId: 'r' })).resolves.toEqual({ items: [{ productId: catalog[0].id, score: 0.5 }], degraded: false });
  });

  it("falls back to the catalog's first items when the service fails and nothing popular is known", async () => {
    const { recommendations } = withSource(() => Promise.reject(new DependencyUnavailableError('recommendation', 'circuit breaker is open')));
    await expect(recommendations.get('u', 5, { requestId: 'r' })).resolves.toEqual({
      items: catalog.map((product) => ({ productId: product.id, score: 0 })),
      degraded: true,
    });
  });

  it('answers popular items once its wait is over, lets the call finish under its own policy and keeps its late popular answer', async () => {
    const asked: GrpcCallOptions[] = [];
    const { recommendations, popular } = withSource((options) => {
      asked.push(options);
      return new Promise((resolve) => setTimeout(() => resolve(popularAnswer), 80));
    });
    const started = Date.now();
    const answer = await recommendations.get('u', 5, { requestId: 'r', waitMs: 20 });
    expect(Date.now() - started).toBeLessThan(70);
    expect(answer).toEqual({ items: catalog.map((product) => ({ productId: product.id, score: 0 })), degraded: true });
    expect(asked).toEqual([{ requestId: 'r' }]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(popular.cached(5)).toEqual(popularAnswer.items);
  });
});
