import { Inject, Injectable } from '@nestjs/common';
import { rankRecommendations, type Recommendations } from '../../domain/ranking';
import { RECOMMENDATION_READS, type RecommendationReads } from '../ports/recommendation-reads.port';

export interface GetRecommendationsQuery {
  readonly userId: string;
  /** 1 to MAX_LIMIT; the edge turns "not given" into DEFAULT_LIMIT. */
  readonly limit: number;
}

/** Products bought together with what the user bought, filled up with popular ones; popular ones for a new user. */
@Injectable()
export class GetRecommendationsHandler {
  constructor(@Inject(RECOMMENDATION_READS) private readonly reads: RecommendationReads) {}

  async execute(query: GetRecommendationsQuery): Promise<Recommendations> {
    const candidates = await this.reads.candidatesFor(query.userId, query.limit);
    return rankRecommendations({
      limit: query.limit,
      purchased: new Set(candidates.purchased),
      boughtTogether: candidates.boughtTogether,
      popular: candidates.popular,
    });
  }
}
