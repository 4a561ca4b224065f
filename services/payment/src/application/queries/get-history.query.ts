import { type WalletStore } from '../wallet-store';

export interface GetHistoryQuery {
  readonly userId: string;
  /** Only the events after this version (0 or absent: from the first). */
  readonly afterVersion?: number;
  /** At most this many events (0 or absent: HISTORY_PAGE_DEFAULT); never more than HISTORY_PAGE_MAX. */
  readonly limit?: number;
}

export const HISTORY_PAGE_DEFAULT = 100;
export const HISTORY_PAGE_MAX = 500;

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
    const limit = Math.min(query.limit || HISTORY_PAGE_DEFAULT, HISTORY_PAGE_MAX);
    const { events, more } = await this.wallets.history(query.userId, { afterVersion: query.afterVersion ?? 0, limit });
    return { events: events.map(({ version, type, occurredAt, data }) => ({ version, type, occurredAt, data })), more };
  }
}
