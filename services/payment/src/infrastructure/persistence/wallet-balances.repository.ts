import { type DataSource } from 'typeorm';
import { type WalletBalances, type WalletBalanceView } from '../../application/ports/wallet-balances.port';

interface WalletBalanceRow {
  user_id: string;
  balance_cents: string;
  version: number;
  updated_at: Date;
}

/** Reads the `wallet_balances` projection. */
export class PostgresWalletBalances implements WalletBalances {
  constructor(private readonly dataSource: DataSource) {}

  async find(userId: string): Promise<WalletBalanceView | undefined> {
    const rows: WalletBalanceRow[] = await this.dataSource.query(
      `SELECT user_id, balance_cents, version, updated_at FROM wallet_balances WHERE user_id = $1`,
      [userId],
    );
    const row = rows[0];
    return row && { userId: row.user_id, balanceCents: Number(row.balance_cents), version: row.version, updatedAt: row.updated_at };
  }
}
