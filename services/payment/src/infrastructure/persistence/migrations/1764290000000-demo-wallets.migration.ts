import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** The two demo users (alice, bob) and the fixed deposit ids that make this seed count once. */
const DEMO_WALLETS = [
  { userId: 'a11ce000-0000-4000-8000-000000000001', depositId: '5eed0000-0000-4000-8000-000000000001' },
  { userId: 'b0b00000-0000-4000-8000-000000000002', depositId: '5eed0000-0000-4000-8000-000000000002' },
] as const;
const DEMO_DEPOSIT_CENTS = 100_000;

/**
 * Seeds the demo wallets with real events (WalletOpened, FundsDeposited), as any wallet gets them, and updates
 * the balance projection in the same transaction. A wallet whose stream already exists is left alone.
 */
export class DemoWallets1764290000000 implements MigrationInterface {
  name = 'DemoWallets1764290000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const { userId, depositId } of DEMO_WALLETS) {
      const streamId = `wallet-${userId}`;
      const existing: unknown[] = await queryRunner.query(`SELECT 1 FROM events WHERE stream_id = $1 LIMIT 1`, [streamId]);
      if (existing.length > 0) continue;
      await queryRunner.query(
        `INSERT INTO events (stream_id, version, type, schema_version, data) VALUES
           ($1, 1, 'WalletOpened', 1, jsonb_build_object('userId', $2::text)),
           ($1, 2, 'FundsDeposited', 1, jsonb_build_object('depositId', $3::text, 'amountCents', $4::bigint))`,
        [streamId, userId, depositId, DEMO_DEPOSIT_CENTS],
      );
      await queryRunner.query(
        `INSERT INTO wallet_balances (user_id, balance_cents, version, updated_at)
         SELECT $1, $2, 2, max(occurred_at) FROM events WHERE stream_id = $3`,
        [userId, DEMO_DEPOSIT_CENTS, streamId],
      );
    }
  }

  /** Events are never deleted, not even by a rollback of the seed: the demo wallets stay as recorded history. */
  async down(): Promise<void> {}
}
