import { type CommandContext } from '../ports/event-store.port';
import { type WalletStore } from '../wallet-store';
import { type ConcurrencyRetryPolicy, DEFAULT_CONCURRENCY_RETRY, retryOnConcurrency } from './retry-on-concurrency';

export interface DepositFundsCommand extends CommandContext {
  readonly userId: string;
  /** Chosen by the client: the same deposit id counts once, however often it is sent. */
  readonly depositId: string;
  readonly amountCents: number;
}

export interface DepositFundsResult {
  readonly balanceCents: number;
  /** False when this deposit id was recorded before and nothing changed. */
  readonly deposited: boolean;
}

/** Adds funds to a wallet, opening the wallet first if it does not exist yet (both facts in one append). */
export class DepositFundsHandler {
  constructor(
    private readonly wallets: WalletStore,
    private readonly retry: ConcurrencyRetryPolicy = DEFAULT_CONCURRENCY_RETRY,
  ) {}

  execute(command: DepositFundsCommand): Promise<DepositFundsResult> {
    return retryOnConcurrency(async () => {
      const wallet = await this.wallets.load(command.userId);
      wallet.open();
      const before = wallet.pendingEvents.length;
      wallet.deposit(command.depositId, command.amountCents);
      const deposited = wallet.pendingEvents.length > before;
      await this.wallets.save(wallet, command);
      return { balanceCents: wallet.balanceCents, deposited };
    }, this.retry);
  }
}
