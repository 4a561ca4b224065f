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
/** What a charge needs to know about its order before deciding. */
export interface OrderLookup {
  /** The order's recorded payment, if any wallet recorded one. */
  readonly payment: OrderPaymentRecord | undefined;
  /** A refund arrived before any charge and left a void marker. */
  readonly voided: boolean;
}

export interface OrderPayments {
  lookup(orderId: string): Promise<OrderLookup>;
  /**
   * Returns the order's payment when payment knows it; otherwise records a void marker and returns undefined.
   * Atomic against a concurrent charge of the same order: either the charge is seen here, or the charge sees the marker.
   */
  voidUnlessKnown(orderId: string): Promise<OrderPaymentRecord | undefined>;
}

export const ORDER_PAYMENTS = Symbol('ORDER_PAYMENTS');
