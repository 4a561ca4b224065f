/**
 * Inbox (docs/patterns/05-publish-subscribe.md): Kafka delivers at least once and rebalances redeliver, so each
 * update runs inside `handleOnce`, in the same transaction as the record of its message id: a second copy of a
 * message changes nothing. Counts grow with set-based `INSERT ... ON CONFLICT DO UPDATE`, never read-modify-write.
 */
import { Injectable } from '@nestjs/common';
import { handleOnce } from '@shop/messaging';
import { DataSource, type EntityManager } from 'typeorm';
import {
  type PurchaseRecord,
  type RecommendationModelWriter,
  type RecordOutcome,
  type SourceMessage,
} from '../../application/ports/recommendation-model.port';

/** The inbox consumer name of this service's updates. */
export const INBOX_CONSUMER = 'recommendation';

@Injectable()
export class PostgresRecommendationModel implements RecommendationModelWriter {
  constructor(private readonly dataSource: DataSource) {}

  async recordPurchase(message: SourceMessage, purchase: PurchaseRecord): Promise<RecordOutcome> {
    let counted = false;
    const outcome = await handleOnce(this.dataSource, INBOX_CONSUMER, message, async (manager) => {
      counted = await this.countOrderOnce(manager, purchase.orderId, purchase.userId);
      if (!counted || purchase.productIds.length === 0) return;
      // Rows are touched in sorted product order by every writer, so two concurrent orders cannot deadlock.
      await manager.query(
        `INSERT INTO user_purchases (user_id, product_id)
         SELECT $1, product_id FROM unnest($2::uuid[]) AS t(product_id)
         ON CONFLICT (user_id, product_id) DO NOTHING`,
        [purchase.userId, purchase.productIds],
      );
      await manager.query(
        `INSERT INTO product_popularity (product_id, purchases)
         SELECT product_id, 1 FROM unnest($1::uuid[]) AS t(product_id)
         ON CONFLICT (product_id) DO UPDATE SET purchases = product_popularity.purchases + 1`,
        [purchase.productIds],
      );
      if (purchase.pairs.length === 0) return;
      await manager.query(
        `INSERT INTO co_purchases (product_id, other_product_id, count)
         SELECT product_id, other_product_id, 1 FROM unnest($1::uuid[], $2::uuid[]) AS t(product_id, other_product_id)
         ON CONFLICT (product_id, other_product_id) DO UPDATE SET count = co_purchases.count + 1`,
        [purchase.pairs.map((pair) => pair.productId), purchase.pairs.map((pair) => pair.otherProductId)],
      );
    });
    return outcome === 'handled' && counted ? 'recorded' : 'duplicate';
  }

  async recordView(message: SourceMessage, view: { readonly productId: string }): Promise<RecordOutcome> {
    const outcome = await handleOnce(this.dataSource, INBOX_CONSUMER, message, async (manager) => {
      await manager.query(
        `INSERT INTO product_popularity (product_id, views) VALUES ($1, 1)
         ON CONFLICT (product_id) DO UPDATE SET views = product_popularity.views + 1`,
        [view.productId],
      );
    });
    return outcome === 'handled' ? 'recorded' : 'duplicate';
  }

  /**
   * The same order confirmed twice under two message ids (a producer that published it again) counts once:
   * the inbox deduplicates messages, this deduplicates orders.
   */
  private async countOrderOnce(manager: EntityManager, orderId: string, userId: string): Promise<boolean> {
    const inserted: unknown[] = await manager.query(
      `INSERT INTO counted_orders (order_id, user_id) VALUES ($1, $2) ON CONFLICT (order_id) DO NOTHING RETURNING 1`,
      [orderId, userId],
    );
    return inserted.length > 0;
  }
}
