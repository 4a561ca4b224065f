import { type WalletStore } from '../wallet-store';

export interface GetHistoryQuery {
  readonly userId: string;
}

export interface WalletHistoryEntry {
  readonly version: number;
  readonly type: string;
  readonly occurredAt: Date;
  readonly data: unknown;
}

/** A wallet's events, oldest first, exactly as recorded: the statement of account. Unknown wallet: empty. */
export class GetHistoryHandler {
  constructor(private readonly wallets: WalletStore) {}

  async execute(query: GetHistoryQuery): Promise<WalletHistoryEntry[]> {
    const events = await this.wallets.history(query.userId);
    return events.map(({ version, type, occurredAt, data }) => ({ version, type, occurredAt, data }));
  }
}
