import { type RecommendationCandidates, type RecommendationReads } from '../ports/recommendation-reads.port';
import { GetRecommendationsHandler } from './get-recommendations.query';

/** Fixed candidates; in-memory, for unit specs only. */
const readsOf = (candidates: RecommendationCandidates): RecommendationReads & { asked: Array<[string, number]> } => {
  const asked: Array<[string, number]> = [];
  return {
    asked,
    async candidatesFor(userId, limit) {
      asked.push([userId, limit]);
      return candidates;
    },
    async popular() {
      return [...candidates.popular];
    },
  };
};

describe('GetRecommendationsHandler', () => {
  it('asks for at most `limit` candidates of each kind and ranks them, leaving out what the user bought', async () => {
    const reads = readsOf({
      purchased: ['a'],
      boughtTogether: [{ productId: 'b', count: 1, purchases: 1, views: 0 }],
      popular: [
        { productId: 'a', purchases: 9, views: 0 },
        { productId: 'c', purchases: 1, views: 0 },
      ],
    });
    const answer = await new GetRecommendationsHandler(reads).execute({ userId: 'u-1', limit: 2 });
    expect(reads.asked).toEqual([['u-1', 2]]);
    expect(answer).toEqual({
      items: [
        { productId: 'b', score: 2 },
        { productId: 'c', score: 1 },
      ],
      strategy: 'co-purchase',
    });
  });
});
