import { randomUUID } from 'node:crypto';
import { walletStreamId } from '../src/domain/wallet-events';
import { migratedDatabase, openStack, type PaymentStack } from './payment-fixture';

/** Many writers race on one wallet, from two connection pools as two replicas would. */
describe('concurrent charges against one wallet', () => {
  let database: { url: string; drop: () => Promise<void> };
  let replicas: PaymentStack[];

  beforeAll(async () => {
    database = await migratedDatabase('payment_concurrency');
    replicas = [await openStack(database.url, 6), await openStack(database.url, 6)];
  });

  afterAll(async () => {
    await Promise.all(replicas.map((stack) => stack.dataSource.destroy()));
    await database.drop();
  });

  const replica = (i: number): PaymentStack => replicas[i % replicas.length]!;

  it('charges exactly ten of fifty parallel 100-cent charges against 1000 cents and declines the other forty', async () => {
    const userId = randomUUID();
    await replica(0).deposit.execute({ userId, depositId: randomUUID(), amountCents: 1_000 });

    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => replica(i).charge.execute({ userId, orderId: randomUUID(), amountCents: 100 })),
    );

    expect(results.filter((result) => result.status === 'CHARGED')).toHaveLength(10);
    expect(results.filter((result) => result.status === 'DECLINED' && result.declineReason === 'INSUFFICIENT_FUNDS')).toHaveLength(40);

    const counts: { type: string; n: number }[] = await replica(0).dataSource.query(
      `SELECT type, count(*)::int AS n FROM events WHERE stream_id = $1 GROUP BY type ORDER BY type`,
      [walletStreamId(userId)],
    );
    expect(counts).toEqual([
      { type: 'FundsDeposited', n: 1 },
      { type: 'PaymentCharged', n: 10 },
      { type: 'PaymentDeclined', n: 40 },
      { type: 'WalletOpened', n: 1 },
    ]);

    // The running balance after every version of the stream, computed in SQL from the events alone.
    const running: { version: number; balance: string }[] = await replica(0).dataSource.query(
      `SELECT version, sum(CASE type WHEN 'FundsDeposited' THEN (data->>'amountCents')::bigint
                                     WHEN 'PaymentRefunded' THEN (data->>'amountCents')::bigint
                                     WHEN 'PaymentCharged' THEN -(data->>'amountCents')::bigint
                                     ELSE 0 END) OVER (ORDER BY version) AS balance
         FROM events WHERE stream_id = $1 ORDER BY version`,
      [walletStreamId(userId)],
    );
    expect(running.map((row) => row.version)).toEqual(Array.from({ length: 52 }, (_, i) => i + 1));
    expect(running.every((row) => Number(row.balance) >= 0)).toBe(true);
    expect(Number(running.at(-1)!.balance)).toBe(0);

    expect(await replica(1).balance.execute({ userId })).toMatchObject({ balanceCents: 0 });
    const [projection] = await replica(0).dataSource.query(`SELECT balance_cents, version FROM wallet_balances WHERE user_id = $1`, [userId]);
    expect(projection).toEqual({ balance_cents: '0', version: 52 });
    expect((await replica(1).wallets.load(userId)).balanceCents).toBe(0);
  });

  it('records one outcome when the same order is charged twenty times at once', async () => {
    const userId = randomUUID();
    const orderId = randomUUID();
    await replica(0).deposit.execute({ userId, depositId: randomUUID(), amountCents: 1_000 });

    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => replica(i).charge.execute({ userId, orderId, amountCents: 300 })));

    expect(new Set(results.map((result) => result.status))).toEqual(new Set(['CHARGED']));
    const events = await replica(0).eventStore.readStream(walletStreamId(userId));
    expect(events.filter((event) => event.type === 'PaymentCharged')).toHaveLength(1);
    expect((await replica(0).balance.execute({ userId })).balanceCents).toBe(700);
  });

  it('counts a deposit sent twenty times at once exactly once', async () => {
    const userId = randomUUID();
    const depositId = randomUUID();

    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => replica(i).deposit.execute({ userId, depositId, amountCents: 250 })));

    expect(results.filter((result) => result.deposited)).toHaveLength(1);
    expect(results.every((result) => result.balanceCents === 250)).toBe(true);
    const types = (await replica(0).eventStore.readStream(walletStreamId(userId))).map((event) => event.type);
    expect(types).toEqual(['WalletOpened', 'FundsDeposited']);
  });
});
