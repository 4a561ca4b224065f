import { randomUUID } from 'node:crypto';
import { ConcurrencyError } from '../src/application/ports/event-store.port';
import { walletStreamId } from '../src/domain/wallet-events';
import { migratedDatabase, openStack, type PaymentStack } from './payment-fixture';

describe('PostgreSQL event store', () => {
  let database: { url: string; drop: () => Promise<void> };
  let stack: PaymentStack;

  beforeAll(async () => {
    database = await migratedDatabase('payment_event_store');
    stack = await openStack(database.url);
  });

  afterAll(async () => {
    await stack.dataSource.destroy();
    await database.drop();
  });

  const opened = (userId: string) => ({ type: 'WalletOpened', schemaVersion: 1, data: { userId } });
  const deposited = (amountCents: number) => ({ type: 'FundsDeposited', schemaVersion: 1, data: { depositId: randomUUID(), amountCents } });

  it('appends events as consecutive versions and reads them back oldest first with their metadata', async () => {
    const userId = randomUUID();
    const correlationId = randomUUID();
    const streamId = walletStreamId(userId);
    await stack.eventStore.append({ streamId, expectedVersion: 0, events: [opened(userId), deposited(500)], correlationId });
    await stack.eventStore.append({ streamId, expectedVersion: 2, events: [deposited(250)] });

    const events = await stack.eventStore.readStream(streamId);
    expect(events.map((event) => [event.version, event.type])).toEqual([
      [1, 'WalletOpened'],
      [2, 'FundsDeposited'],
      [3, 'FundsDeposited'],
    ]);
    expect(events[0]).toMatchObject({ streamId, schemaVersion: 1, data: { userId }, correlationId, causationId: null });
    expect(events[2]?.correlationId).toBeNull();
    expect(events[1]!.globalPosition).toBeLessThan(events[2]!.globalPosition);
    expect(events[0]!.occurredAt).toBeInstanceOf(Date);
  });

  it('refuses an append at a stale expected version with a ConcurrencyError and writes nothing', async () => {
    const userId = randomUUID();
    const streamId = walletStreamId(userId);
    await stack.eventStore.append({ streamId, expectedVersion: 0, events: [opened(userId)] });

    await expect(stack.eventStore.append({ streamId, expectedVersion: 0, events: [opened(userId), deposited(100)] })).rejects.toBeInstanceOf(
      ConcurrencyError,
    );
    expect(await stack.eventStore.readStream(streamId)).toHaveLength(1);
    const [row] = await stack.dataSource.query(`SELECT balance_cents, version FROM wallet_balances WHERE user_id = $1`, [userId]);
    expect(row).toEqual({ balance_cents: '0', version: 1 });
  });

  it('updates the balance projection in the same transaction as the append', async () => {
    const userId = randomUUID();
    const streamId = walletStreamId(userId);
    await stack.eventStore.append({ streamId, expectedVersion: 0, events: [opened(userId), deposited(700)] });
    const [row] = await stack.dataSource.query(`SELECT balance_cents, version FROM wallet_balances WHERE user_id = $1`, [userId]);
    expect(row).toEqual({ balance_cents: '700', version: 2 });
  });

  it('rolls the events back when the projection refuses them, so store and read model never disagree', async () => {
    const userId = randomUUID();
    const streamId = walletStreamId(userId);
    await stack.eventStore.append({ streamId, expectedVersion: 0, events: [opened(userId), deposited(100)] });
    const overdraft = { type: 'PaymentCharged', schemaVersion: 1, data: { orderId: randomUUID(), amountCents: 101 } };

    await expect(stack.eventStore.append({ streamId, expectedVersion: 2, events: [overdraft] })).rejects.toThrow(/wallet_balances_balance_cents_check/);
    expect(await stack.eventStore.readStream(streamId)).toHaveLength(2);
  });

  describe('immutability, enforced by the database', () => {
    it('refuses to UPDATE an event row', async () => {
      const userId = randomUUID();
      const [first] = await stack.eventStore.append({ streamId: walletStreamId(userId), expectedVersion: 0, events: [deposited(100)] });
      await expect(
        stack.dataSource.query(`UPDATE events SET data = '{"depositId":"x","amountCents":999999}' WHERE global_position = $1`, [first!.globalPosition]),
      ).rejects.toThrow(/events are immutable: UPDATE/);
      const [row] = await stack.dataSource.query(`SELECT data FROM events WHERE global_position = $1`, [first!.globalPosition]);
      expect(row.data.amountCents).toBe(100);
    });

    it('refuses to DELETE an event row', async () => {
      const userId = randomUUID();
      const [first] = await stack.eventStore.append({ streamId: walletStreamId(userId), expectedVersion: 0, events: [opened(userId)] });
      await expect(stack.dataSource.query(`DELETE FROM events WHERE global_position = $1`, [first!.globalPosition])).rejects.toThrow(
        /events are immutable: DELETE/,
      );
      expect(await stack.eventStore.readStream(walletStreamId(userId))).toHaveLength(1);
    });

    it('refuses to TRUNCATE the event store', async () => {
      const [{ n: before }] = await stack.dataSource.query(`SELECT count(*)::int AS n FROM events`);
      await expect(stack.dataSource.query(`TRUNCATE events`)).rejects.toThrow(/events are immutable: TRUNCATE/);
      const [{ n: after }] = await stack.dataSource.query(`SELECT count(*)::int AS n FROM events`);
      expect(after).toBe(before);
      expect(after).toBeGreaterThan(0);
    });
  });
});
