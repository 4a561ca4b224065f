import { type PaymentStatus } from '../../domain/wallet';

/** What payment knows about one order: which wallet it was charged to and how it ended. */
export interface OrderPaymentRecord {
  readonly orderId: string;
  readonly userId: string;
  readonly status: PaymentStatus;
  readonly amountCents: number;
}

/**
 * The order lookup (`order_payments`, a projection of the wallet streams) and the void markers (`voided_orders`)
 * left by refunds that arrived before any charge.
 */
export interface OrderPayments {
  find(orderId: string): Promise<OrderPaymentRecord | undefined>;
  isVoided(orderId: string): Promise<boolean>;
  /**
   * Returns the order's payment when payment knows it; otherwise records a void marker and returns undefined.
   * Atomic against a concurrent charge of the same order: either the charge is seen here, or the charge sees the marker.
   */
  voidUnlessKnown(orderId: string): Promise<OrderPaymentRecord | undefined>;
}

export const ORDER_PAYMENTS = Symbol('ORDER_PAYMENTS');
