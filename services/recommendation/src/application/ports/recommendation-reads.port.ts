import { type BoughtTogether, type ProductCounts } from '../../domain/ranking';

/** What the ranking needs for one user, narrowed by the database to at most `limit` candidates of each kind. */
export interface RecommendationCandidates {
  /** Every product the user has bought. */
  readonly purchased: readonly string[];
  /** The `limit` best products bought together with the user's purchases, which the user has not bought. */
  readonly boughtTogether: readonly BoughtTogether[];
  /** The `limit` most popular products the user has not bought. */
  readonly popular: readonly ProductCounts[];
}

/** Read side of the model: plain reads outside any transaction, ordered as the domain ranks. */
export interface RecommendationReads {
  candidatesFor(userId: string, limit: number): Promise<RecommendationCandidates>;
  /** The `limit` most popular products, with their counts. */
  popular(limit: number): Promise<ProductCounts[]>;
}

export const RECOMMENDATION_READS = Symbol('RECOMMENDATION_READS');
