import { createDataSource, runMigrations } from '@shop/platform';
import { createTestDatabase } from '@shop/testing';
import { paymentDatabase } from '../src/infrastructure/persistence/database';
import { paymentMigrations } from '../src/infrastructure/persistence/migrations';

describe('payment migrations', () => {
  let database: { url: string; drop: () => Promise<void> };

  beforeAll(async () => {
    database = await createTestDatabase('payment_migrations');
  });

  afterAll(async () => {
    await database.drop();
  });

  it('applies every migration to an empty database, then finds nothing left to apply', async () => {
    const applied = await runMigrations(paymentDatabase(database.url));
    expect(applied).toEqual(paymentMigrations.map((migration) => new migration().name));
    expect(await runMigrations(paymentDatabase(database.url))).toEqual([]);
  });

  it('seeds the two demo wallets with 100000 cents each through real events and their projection', async () => {
    const dataSource = createDataSource(paymentDatabase(database.url));
    await dataSource.initialize();
    try {
      for (const userId of ['a11ce000-0000-4000-8000-000000000001', 'b0b00000-0000-4000-8000-000000000002']) {
        const events: { version: number; type: string; data: { amountCents?: number } }[] = await dataSource.query(
          `SELECT version, type, data FROM events WHERE stream_id = $1 ORDER BY version`,
          [`wallet-${userId}`],
        );
        expect(events.map((event) => [event.version, event.type])).toEqual([
          [1, 'WalletOpened'],
          [2, 'FundsDeposited'],
        ]);
        expect(events[1]?.data.amountCents).toBe(100_000);
        const [balance] = await dataSource.query(`SELECT balance_cents, version FROM wallet_balances WHERE user_id = $1`, [userId]);
        expect(balance).toEqual({ balance_cents: '100000', version: 2 });
      }
    } finally {
      await dataSource.destroy();
    }
  });

  it('reverts every migration and applies them again', async () => {
    const dataSource = createDataSource(paymentDatabase(database.url));
    await dataSource.initialize();
    try {
      for (let i = 0; i < paymentMigrations.length; i++) await dataSource.undoLastMigration({ transaction: 'each' });
      const remaining = await dataSource.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'schema_migrations'`);
      expect(remaining[0].n).toBe(0);
    } finally {
      await dataSource.destroy();
    }
    expect(await runMigrations(paymentDatabase(database.url))).toHaveLength(paymentMigrations.length);
  });
});
