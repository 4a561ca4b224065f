import { type CommandContext } from '../ports/event-store.port';
import { type WalletStore } from '../wallet-store';
import { type ConcurrencyRetryPolicy, DEFAULT_CONCURRENCY_RETRY, retryOnConcurrency } from './retry-on-concurrency';

export interface OpenWalletCommand extends CommandContext {
  readonly userId: string;
}

export interface OpenWalletResult {
  readonly userId: string;
  readonly balanceCents: number;
  /** True when this call opened the wallet, false when it was open already. */
  readonly opened: boolean;
}

/**
 * Opens a customer's wallet; opening it again changes nothing. The single entry point for opening wallets:
 * the gRPC OpenWallet method calls it, and so will the consumer of `user.registered.v1`.
 */
export class OpenWalletHandler {
  constructor(
    private readonly wallets: WalletStore,
    private readonly retry: ConcurrencyRetryPolicy = DEFAULT_CONCURRENCY_RETRY,
  ) {}

  execute(command: OpenWalletCommand): Promise<OpenWalletResult> {
    return retryOnConcurrency(async () => {
      const wallet = await this.wallets.load(command.userId);
      wallet.open();
      const opened = wallet.pendingEvents.length > 0;
      await this.wallets.save(wallet, command);
      return { userId: command.userId, balanceCents: wallet.balanceCents, opened };
    }, this.retry);
  }
}
