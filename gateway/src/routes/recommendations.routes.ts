/**
 * Circuit breaker with fallback (docs/patterns/03-circuit-breaker.md) at the edge: recommendations for the
 * caller, or popular items when the recommendation service is down (the header `x-degraded` says so).
 */
import { z } from 'zod';
import { type RecommendationsWithFallback } from '../composition/recommendations-with-fallback';
import { type GatewayRoutes, sendJson } from './gateway-route';

export const RECOMMENDATIONS_LIMIT = 10;

const recommendation = z.object({ productId: z.uuid(), score: z.number() });

export function registerRecommendationRoutes(routes: GatewayRoutes, recommendations: Pick<RecommendationsWithFallback, 'get'>): void {
  routes.add({
    method: 'GET',
    url: '/api/recommendations',
    summary: 'Products recommended to the caller (popular items when recommendations are unavailable)',
    tag: 'recommendations',
    access: 'private',
    responses: { 200: { description: 'Recommendations, best first', schema: z.array(recommendation) } },
    handle: async ({ userId, requestId }, reply) => {
      const answer = await recommendations.get(userId, RECOMMENDATIONS_LIMIT, { requestId });
      if (answer.degraded) void reply.header('x-degraded', 'recommendations');
      return sendJson(reply, 200, answer.items);
    },
  });
}
