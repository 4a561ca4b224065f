import { DomainError } from '@shop/platform/errors';
import { type DeclineReason } from '../../domain/wallet-events';
import { type CommandContext } from '../ports/event-store.port';
import { type OrderPayments } from '../ports/order-payments.port';
import { type WalletStore } from '../wallet-store';
import { type ConcurrencyRetryPolicy, DEFAULT_CONCURRENCY_RETRY, retryOnConcurrency } from './retry-on-concurrency';

export interface ChargePaymentCommand extends CommandContext {
  readonly orderId: string;
  readonly userId: string;
  readonly amountCents: number;
}

export interface ChargePaymentResult {
  readonly orderId: string;
  readonly status: 'CHARGED' | 'DECLINED';
  readonly amountCents: number;
  readonly balanceCents: number;
  readonly declineReason?: DeclineReason;
}

/**
 * Charges an order to a wallet (a saga step of order placement). Safe to repeat: the first outcome for an order
 * is final. An order already voided by an early refund is declined with ORDER_VOIDED; the append re-checks the
 * void marker in its transaction, so a refund racing this charge is never lost.
 */
export class ChargePaymentHandler {
  constructor(
    private readonly wallets: WalletStore,
    private readonly orders: OrderPayments,
    private readonly retry: ConcurrencyRetryPolicy = DEFAULT_CONCURRENCY_RETRY,
  ) {}

  execute(command: ChargePaymentCommand): Promise<ChargePaymentResult> {
    return retryOnConcurrency(async () => {
      const { payment, voided } = await this.orders.lookup(command.orderId);
      if (payment && payment.userId !== command.userId) {
        throw new DomainError('PAYMENT.ORDER_OF_ANOTHER_WALLET', 'conflict', `Order ${command.orderId} belongs to another wallet`);
      }
      const orderVoided = !payment && voided;
      const wallet = await this.wallets.load(command.userId);
      wallet.open();
      const outcome = wallet.charge(command.orderId, command.amountCents, { orderVoided });
      await this.wallets.save(wallet, command);
      return {
        orderId: command.orderId,
        status: outcome.status,
        amountCents: outcome.amountCents,
        balanceCents: wallet.balanceCents,
        ...(outcome.status === 'DECLINED' ? { declineReason: outcome.reason } : {}),
      };
    }, this.retry);
  }
}
