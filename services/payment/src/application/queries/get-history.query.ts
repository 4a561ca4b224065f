import { WALLET_HISTORY_PAGE } from '@shop/contracts';
import { type WalletStore } from '../wallet-store';

export interface GetHistoryQuery {
  readonly userId: string;
  /** Only the events after this version (0 or absent: from the first). */
  readonly afterVersion?: number;
  /** At most this many events (0 or absent: WALLET_HISTORY_PAGE.default); never more than WALLET_HISTORY_PAGE.max. */
  readonly limit?: number;
}


export interface WalletHistoryEntry {
  readonly version: number;
  readonly type: string;
  readonly occurredAt: Date;
  readonly data: unknown;
}

/**
 * A wallet's events, oldest first, exactly as recorded: the statement of account, a page at a time (a wallet's
 * stream grows without end, and one answer for all of it would one day be larger than a gRPC message may be).
 * Unknown wallet: empty.
 */
export class GetHistoryHandler {
  constructor(private readonly wallets: WalletStore) {}

  async execute(query: GetHistoryQuery): Promise<{ events: WalletHistoryEntry[]; more: boolean }> {
    const limit = Math.min(query.limit || WALLET_HISTORY_PAGE.default, WALLET_HISTORY_PAGE.max);
    const { events, more } = await this.wallets.history(query.userId, { afterVersion: query.afterVersion ?? 0, limit });
    return { events: events.map(({ version, type, occurredAt, data }) => ({ version, type, occurredAt, data })), more };
  }
}
