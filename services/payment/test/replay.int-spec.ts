import { randomUUID } from 'node:crypto';
import { replayProjections } from '../src/infrastructure/projections/replay-projections';
import { walletProjections } from '../src/infrastructure/projections/wallet-projections';
import { balancesRows, migratedDatabase, openStack, type PaymentStack } from './payment-fixture';

const WALLETS = 200;
const EVENTS_PER_WALLET = 20;

/** A deterministic pseudo-random sequence, so a failure can be reproduced. */
function sequence(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/** Drives one wallet through commands until its stream holds `EVENTS_PER_WALLET` events. */
async function buildWallet(stack: PaymentStack, userId: string, random: () => number): Promise<void> {
  const charged: string[] = [];
  await stack.openWallet.execute({ userId });
  for (let events = 1; events < EVENTS_PER_WALLET; events++) {
    const roll = random();
    if (roll < 0.35 || events === 1) {
      await stack.deposit.execute({ userId, depositId: randomUUID(), amountCents: 100 + Math.floor(random() * 5_000) });
    } else if (roll < 0.85 || charged.length === 0) {
      const orderId = randomUUID();
      const outcome = await stack.charge.execute({ userId, orderId, amountCents: 50 + Math.floor(random() * 4_000) });
      if (outcome.status === 'CHARGED') charged.push(orderId);
    } else {
      await stack.refund.execute({ orderId: charged.splice(Math.floor(random() * charged.length), 1)[0]! });
    }
  }
}

async function orderRows(stack: PaymentStack): Promise<unknown[]> {
  return stack.dataSource.query(`SELECT order_id, user_id, status, amount_cents, decline_reason, updated_at FROM order_payments ORDER BY order_id`);
}

describe('replay of the wallet projections', () => {
  let database: { url: string; drop: () => Promise<void> };
  let stack: PaymentStack;
  const userIds = Array.from({ length: WALLETS }, () => randomUUID());

  beforeAll(async () => {
    database = await migratedDatabase('payment_replay');
    stack = await openStack(database.url, 8);
    const random = sequence(42);
    const seeds = userIds.map(() => Math.floor(random() * 1_000_000));
    for (let i = 0; i < userIds.length; i += 8) {
      await Promise.all(userIds.slice(i, i + 8).map((userId, j) => buildWallet(stack, userId, sequence(seeds[i + j]!))));
    }
  }, 120_000);

  afterAll(async () => {
    await stack.dataSource.destroy();
    await database.drop();
  });

  it('rebuilds every balance and order lookup equal to what the live appends produced', async () => {
    const [{ n: events }] = await stack.dataSource.query(`SELECT count(*)::int AS n FROM events`);
    expect(events).toBe(WALLETS * EVENTS_PER_WALLET + 4); // plus the two seeded demo wallets
    const balancesBefore = await balancesRows(stack.dataSource);
    const ordersBefore = await orderRows(stack);
    expect(balancesBefore.size).toBe(WALLETS + 2);
    expect(ordersBefore.length).toBeGreaterThan(WALLETS);

    await stack.dataSource.query(`TRUNCATE wallet_balances, order_payments`);
    expect((await balancesRows(stack.dataSource)).size).toBe(0);

    const result = await replayProjections(stack.dataSource, walletProjections(), { batchSize: 500 });

    expect(result.events).toBe(events);
    expect(result.batches).toBe(Math.ceil(events / 500));
    expect(await balancesRows(stack.dataSource)).toEqual(balancesBefore);
    expect(await orderRows(stack)).toEqual(ordersBefore);
  });

  it('agrees with the fold of each stream', async () => {
    const balances = await balancesRows(stack.dataSource);
    for (const userId of userIds.slice(0, 25)) {
      const wallet = await stack.wallets.load(userId);
      expect(balances.get(userId)).toEqual({ balance: wallet.balanceCents, version: EVENTS_PER_WALLET });
    }
  });

  it('neither loses nor double-counts appends that race a replay', async () => {
    const racing = userIds.slice(0, 40);
    const deposits = Promise.all(racing.map((userId) => stack.deposit.execute({ userId, depositId: randomUUID(), amountCents: 7 })));
    const replay = replayProjections(stack.dataSource, walletProjections(), { batchSize: 300 });
    await Promise.all([deposits, replay]);

    const balances = await balancesRows(stack.dataSource);
    for (const userId of racing) {
      const wallet = await stack.wallets.load(userId);
      expect(balances.get(userId)).toEqual({ balance: wallet.balanceCents, version: EVENTS_PER_WALLET + 1 });
    }
  });
});
