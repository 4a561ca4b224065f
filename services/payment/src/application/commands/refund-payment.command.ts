import { type CommandContext } from '../ports/event-store.port';
import { type OrderPayments } from '../ports/order-payments.port';
import { type WalletStore } from '../wallet-store';
import { type ConcurrencyRetryPolicy, DEFAULT_CONCURRENCY_RETRY, retryOnConcurrency } from './retry-on-concurrency';

export interface RefundPaymentCommand extends CommandContext {
  readonly orderId: string;
}

export interface RefundPaymentResult {
  readonly orderId: string;
  /** True when the order's charge is refunded (by this call or an earlier one). */
  readonly refunded: boolean;
  readonly amountCents: number;
  /** True when payment did not know the order and left a void marker, so a late charge is declined. */
  readonly voided: boolean;
}

/**
 * Refunds an order's charge: the saga's compensation for a failed order. Idempotent: an order refunded before
 * answers refunded=true again with no new event. A refund can overtake a charge still in flight, so an order
 * payment does not know yet is voided: answered refunded=false, and any later charge for it is declined.
 * A declined order had nothing taken, so there is nothing to give back.
 */
export class RefundPaymentHandler {
  constructor(
    private readonly wallets: WalletStore,
    private readonly orders: OrderPayments,
    private readonly retry: ConcurrencyRetryPolicy = DEFAULT_CONCURRENCY_RETRY,
  ) {}

  execute(command: RefundPaymentCommand): Promise<RefundPaymentResult> {
    const { orderId } = command;
    return retryOnConcurrency(async () => {
      const known = await this.orders.voidUnlessKnown(orderId);
      if (!known) return { orderId, refunded: false, amountCents: 0, voided: true };
      const wallet = await this.wallets.load(known.userId);
      const payment = wallet.paymentFor(orderId);
      if (payment?.status === 'REFUNDED') return { orderId, refunded: true, amountCents: payment.amountCents, voided: false };
      if (payment?.status === 'DECLINED') return { orderId, refunded: false, amountCents: 0, voided: false };
      const refunded = wallet.refund(orderId);
      await this.wallets.save(wallet, command);
      return { orderId, refunded: true, amountCents: refunded.amountCents, voided: false };
    }, this.retry);
  }
}
