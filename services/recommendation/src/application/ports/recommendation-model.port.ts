import { type ProductPair } from '../../domain/purchase';

/** The message that carries an update: its id makes the update happen once (inbox). */
export interface SourceMessage {
  readonly id: string;
  readonly type: string;
}

/** `duplicate`: the message (or, for a purchase, the order) was counted before, and nothing changed. */
export type RecordOutcome = 'recorded' | 'duplicate';

export interface PurchaseRecord {
  readonly orderId: string;
  readonly userId: string;
  /** Distinct, sorted. */
  readonly productIds: readonly string[];
  /** Every pair of distinct products of the order, both ways, sorted. */
  readonly pairs: readonly ProductPair[];
}

/**
 * Write side of the model: counts that only ever grow. Each method is one transaction that also records the
 * message in the inbox, so a redelivered or duplicated message changes nothing.
 */
export interface RecommendationModelWriter {
  /** The user's purchases, +1 purchase per product, +1 co-purchase per pair; once per message and once per order. */
  recordPurchase(message: SourceMessage, purchase: PurchaseRecord): Promise<RecordOutcome>;
  /** +1 view of the product; once per message. */
  recordView(message: SourceMessage, view: { readonly productId: string }): Promise<RecordOutcome>;
}

export const RECOMMENDATION_MODEL_WRITER = Symbol('RECOMMENDATION_MODEL_WRITER');
