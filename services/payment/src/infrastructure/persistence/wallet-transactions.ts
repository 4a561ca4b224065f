import { type EntityManager } from 'typeorm';
import { ChargePaymentHandler } from '../../application/commands/charge-payment.command';
import { OpenWalletHandler } from '../../application/commands/open-wallet.command';
import { RefundPaymentHandler } from '../../application/commands/refund-payment.command';
import { type WalletCommands, type WalletTransactions } from '../../application/ports/wallet-transactions.port';
import { WalletStore } from '../../application/wallet-store';
import { type Projection } from '../projections/projection';
import { PostgresOrderPayments } from './order-payments.repository';
import { type AppendedEventsOutbox, PostgresEventStore } from './postgres-event-store';

/** The same commands, stores, projections and outbox as the module's, over the caller's transaction. */
export class PostgresWalletTransactions implements WalletTransactions {
  constructor(
    private readonly projections: readonly Projection[],
    private readonly outbox: AppendedEventsOutbox,
  ) {}

  join(transaction: EntityManager): WalletCommands {
    const wallets = new WalletStore(new PostgresEventStore(transaction, this.projections, this.outbox));
    const orders = new PostgresOrderPayments(transaction);
    return {
      openWallet: new OpenWalletHandler(wallets),
      charge: new ChargePaymentHandler(wallets, orders),
      refund: new RefundPaymentHandler(wallets, orders),
    };
  }
}
