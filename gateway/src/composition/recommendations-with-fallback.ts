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

const LATE = Symbol('late');

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

  /**
   * Recommendations for the user, else popular items. With `waitMs`, popular items also stand in when the service has
   * not answered by then; the call itself goes on under its policy's own timeout, so an answer that is only later
   * than this caller wanted is not counted against the recommendation breaker (and a late popular answer is kept).
   */
  async get(userId: string, limit: number, options: { requestId: string; waitMs?: number }): Promise<RecommendationsAnswer> {
    const call = this.recommendations.getRecommendations(userId, limit, { requestId: options.requestId }).then((answer) => {
      this.popular.remember(answer);
      return answer;
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      const late = new Promise<typeof LATE>((resolve) => {
        if (options.waitMs !== undefined) timer = setTimeout(() => resolve(LATE), options.waitMs);
      });
      const answer = await Promise.race([call, late]);
      if (answer !== LATE) return { items: answer.items, degraded: false };
      this.logger.warn({ reqId: options.requestId, waitMs: options.waitMs }, 'recommendations late, answering popular items');
    } catch (error) {
      this.logger.warn({ reqId: options.requestId, err: error }, 'recommendations unavailable, answering popular items');
    } finally {
      clearTimeout(timer);
    }
    fallbacksCounter.inc({ dependency: 'recommendation', fallback: 'popular-products' });
    return { items: await this.popular.fallback(limit, options.requestId), degraded: true };
  }

  /** The fallback as known right now, without any call (for a caller out of time). */
  cachedFallback(limit: number): Recommendation[] {
    return this.popular.cached(limit);
  }
}
