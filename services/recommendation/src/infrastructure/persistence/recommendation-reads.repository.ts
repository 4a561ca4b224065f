import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type RecommendationCandidates, type RecommendationReads } from '../../application/ports/recommendation-reads.port';
import { type BoughtTogether, POPULARITY_WEIGHTS, type ProductCounts } from '../../domain/ranking';

interface CandidateRow {
  kind: 'purchased' | 'together' | 'popular';
  product_id: string;
  /** bigint arrives as a string from the driver. */
  count: string;
  purchases: string;
  views: string;
}

/**
 * One round trip per answer. The SQL narrows the candidates (at most `limit` of each kind, already without the
 * user's purchases) in the order the domain ranks them, with the same popularity weights; the domain then ranks,
 * merges and scores them.
 */
const CANDIDATES_SQL = `
  WITH bought AS (
    SELECT product_id FROM user_purchases WHERE user_id = $1
  ), together AS (
    SELECT c.other_product_id AS product_id, sum(c.count) AS count
    FROM co_purchases c
    JOIN bought b ON b.product_id = c.product_id
    WHERE NOT EXISTS (SELECT 1 FROM bought x WHERE x.product_id = c.other_product_id)
    GROUP BY c.other_product_id
  ), together_top AS (
    SELECT t.product_id, t.count, coalesce(p.purchases, 0) AS purchases, coalesce(p.views, 0) AS views
    FROM together t
    LEFT JOIN product_popularity p ON p.product_id = t.product_id
    ORDER BY t.count DESC, coalesce(p.purchases, 0) * $3 + coalesce(p.views, 0) * $4 DESC, t.product_id
    LIMIT $2
  ), popular_top AS (
    SELECT p.product_id, p.purchases, p.views
    FROM product_popularity p
    WHERE NOT EXISTS (SELECT 1 FROM bought x WHERE x.product_id = p.product_id)
    ORDER BY p.purchases * $3 + p.views * $4 DESC, p.product_id
    LIMIT $2
  )
  SELECT 'purchased' AS kind, product_id, 0 AS count, 0 AS purchases, 0 AS views FROM bought
  UNION ALL
  SELECT 'together', product_id, count, purchases, views FROM together_top
  UNION ALL
  SELECT 'popular', product_id, 0, purchases, views FROM popular_top`;

const POPULAR_SQL = `
  SELECT product_id, purchases, views
  FROM product_popularity
  ORDER BY purchases * $2 + views * $3 DESC, product_id
  LIMIT $1`;

const toCounts = (row: Pick<CandidateRow, 'product_id' | 'purchases' | 'views'>): ProductCounts => ({
  productId: row.product_id,
  purchases: Number(row.purchases),
  views: Number(row.views),
});

@Injectable()
export class PostgresRecommendationReads implements RecommendationReads {
  constructor(private readonly dataSource: DataSource) {}

  async candidatesFor(userId: string, limit: number): Promise<RecommendationCandidates> {
    const rows: CandidateRow[] = await this.dataSource.query(CANDIDATES_SQL, [userId, limit, POPULARITY_WEIGHTS.purchase, POPULARITY_WEIGHTS.view]);
    const purchased: string[] = [];
    const boughtTogether: BoughtTogether[] = [];
    const popular: ProductCounts[] = [];
    for (const row of rows) {
      if (row.kind === 'purchased') purchased.push(row.product_id);
      else if (row.kind === 'together') boughtTogether.push({ ...toCounts(row), count: Number(row.count) });
      else popular.push(toCounts(row));
    }
    return { purchased, boughtTogether, popular };
  }

  async popular(limit: number): Promise<ProductCounts[]> {
    const rows: Array<Pick<CandidateRow, 'product_id' | 'purchases' | 'views'>> = await this.dataSource.query(POPULAR_SQL, [
      limit,
      POPULARITY_WEIGHTS.purchase,
      POPULARITY_WEIGHTS.view,
    ]);
    return rows.map(toCounts);
  }
}
