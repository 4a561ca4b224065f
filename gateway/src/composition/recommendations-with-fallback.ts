/**
 * Circuit breaker with fallback (docs/patterns/03-circuit-breaker.md): recommendations come from the
 * recommendation service behind its breaker; when it fails, is slow or its breaker is open, the caller
 * still gets popular items and learns that the answer is degraded.
 */
import { Inject, Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { LOGGER, type Logger } from '@shop/platform';
import { type Recommendation, RecommendationGrpcClient } from '../clients/recommendation.grpc-client';
import { PopularProducts } from './popular-products';

export type RecommendationSource = Pick<RecommendationGrpcClient, 'getRecommendations'>;

/** Answers given by a fallback instead of the dependency (the resilience dashboard's fallback rate). */
export const fallbacksCounter = new Counter({
  name: 'shop_fallbacks_total',
  help: 'Answers given by a fallback instead of the dependency, by dependency and fallback',
  labelNames: ['dependency', 'fallback'],
});

export interface RecommendationsAnswer {
  readonly items: Recommendation[];
  readonly degraded: boolean;
}

@Injectable()
export class RecommendationsWithFallback {
  constructor(
    @Inject(RecommendationGrpcClient) private readonly recommendations: RecommendationSource,
    private readonly popular: PopularProducts,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async get(userId: string, limit: number, options: { requestId: string; deadlineMs?: number }): Promise<RecommendationsAnswer> {
    try {
      const answer = await this.recommendations.getRecommendations(userId, limit, options);
      this.popular.remember(answer);
      return { items: answer.items, degraded: false };
    } catch (error) {
      this.logger.warn({ reqId: options.requestId, err: error }, 'recommendations unavailable, answering popular items');
      fallbacksCounter.inc({ dependency: 'recommendation', fallback: 'popular-products' });
      return { items: await this.popular.fallback(limit, options.requestId), degraded: true };
    }
  }

  /** The fallback as known right now, without any call (for a caller out of time). */
  cachedFallback(limit: number): Recommendation[] {
    return this.popular.cached(limit);
  }
}
