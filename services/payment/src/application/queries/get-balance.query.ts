import { type WalletBalances } from '../ports/wallet-balances.port';
import { type WalletStore } from '../wallet-store';

export interface GetBalanceQuery {
  readonly userId: string;
  /** A past (or any) instant for a temporal query; absent means now. */
  readonly at?: Date;
}

export interface BalanceView {
  readonly balanceCents: number;
  readonly asOf: Date;
}

/**
 * The balance now comes from the `wallet_balances` read model (kept current in the append's transaction).
 * The balance at an instant is a temporal query: the fold of the events that occurred at or before it.
 * A wallet that does not exist (yet) holds 0.
 */
export class GetBalanceHandler {
  constructor(
    private readonly balances: WalletBalances,
    private readonly wallets: WalletStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async execute(query: GetBalanceQuery): Promise<BalanceView> {
    if (query.at) {
      const wallet = await this.wallets.load(query.userId, query.at);
      return { balanceCents: wallet.balanceCents, asOf: query.at };
    }
    const asOf = this.now();
    const view = await this.balances.find(query.userId);
    return { balanceCents: view?.balanceCents ?? 0, asOf };
  }
}
