import { Inject, Injectable } from '@nestjs/common';
import { type ProductCounts, rankPopular } from '../../domain/ranking';
import { RECOMMENDATION_READS, type RecommendationReads } from '../ports/recommendation-reads.port';

export interface PopularProduct extends ProductCounts {
  /** popularity / the highest popularity, in (0, 1]. */
  readonly score: number;
}

/** The most popular products with their raw counts: what a new user is recommended, for diagnostics. */
@Injectable()
export class GetPopularProductsHandler {
  constructor(@Inject(RECOMMENDATION_READS) private readonly reads: RecommendationReads) {}

  async execute(query: { readonly limit: number }): Promise<PopularProduct[]> {
    const candidates = await this.reads.popular(query.limit);
    const counts = new Map(candidates.map((candidate) => [candidate.productId, candidate]));
    return rankPopular(candidates, query.limit).map(({ productId, score }) => {
      const { purchases, views } = counts.get(productId) ?? { purchases: 0, views: 0 };
      return { productId, score, purchases, views };
    });
  }
}
