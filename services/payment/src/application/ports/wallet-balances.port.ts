/** One row of the `wallet_balances` read model: the fold of a stream, kept current by its projection. */
export interface WalletBalanceView {
  readonly userId: string;
  readonly balanceCents: number;
  readonly version: number;
  readonly updatedAt: Date;
}

export interface WalletBalances {
  find(userId: string): Promise<WalletBalanceView | undefined>;
}

export const WALLET_BALANCES = Symbol('WALLET_BALANCES');
