import { type EntityManager } from 'typeorm';
import { type ChargePaymentHandler } from '../commands/charge-payment.command';
import { type OpenWalletHandler } from '../commands/open-wallet.command';
import { type RefundPaymentHandler } from '../commands/refund-payment.command';

/** The wallet commands a message may cause, every read and append of them inside one transaction. */
export interface WalletCommands {
  readonly openWallet: OpenWalletHandler;
  readonly charge: ChargePaymentHandler;
  readonly refund: RefundPaymentHandler;
}

/**
 * Binds the wallet commands to a transaction the caller opened: a consumer's inbox transaction, so the handled
 * message's id, the appended events, their projections and their outbox rows commit together, or none does.
 * Each append is a savepoint inside it, so a lost optimistic-concurrency race is retried in the same transaction.
 */
export interface WalletTransactions {
  join(transaction: EntityManager): WalletCommands;
}

export const WALLET_TRANSACTIONS = Symbol('WALLET_TRANSACTIONS');
