import { randomUUID } from 'node:crypto';
import { migratedDatabase, openStack, sleep, type PaymentStack } from './payment-fixture';

/** Temporal query: the balance at an instant is the fold of the events that occurred at or before it. */
describe('balance as of an instant', () => {
  let database: { url: string; drop: () => Promise<void> };
  let stack: PaymentStack;
  const userId = randomUUID();
  let times: Date[];

  const midpoint = (a: Date, b: Date): Date => new Date((a.getTime() + b.getTime()) / 2);

  beforeAll(async () => {
    database = await migratedDatabase('payment_temporal');
    stack = await openStack(database.url, 4);
    await stack.deposit.execute({ userId, depositId: randomUUID(), amountCents: 1_000 }); // v1 opened, v2 deposited
    await sleep(25);
    await stack.charge.execute({ userId, orderId: randomUUID(), amountCents: 300 }); // v3
    await sleep(25);
    await stack.deposit.execute({ userId, depositId: randomUUID(), amountCents: 50 }); // v4
    times = (await stack.history.execute({ userId })).events.map((event) => event.occurredAt);
  });

  afterAll(async () => {
    await stack.dataSource.destroy();
    await database.drop();
  });

  it('records the events in time order, apart enough to query between them', () => {
    expect(times).toHaveLength(4);
    expect(times[2]!.getTime() - times[1]!.getTime()).toBeGreaterThanOrEqual(20);
    expect(times[3]!.getTime() - times[2]!.getTime()).toBeGreaterThanOrEqual(20);
  });

  it('is 0 before the first event', async () => {
    const at = new Date(times[0]!.getTime() - 1);
    expect(await stack.balance.execute({ userId, at })).toEqual({ balanceCents: 0, asOf: at });
  });

  it('includes an event that occurred exactly at the instant', async () => {
    expect((await stack.balance.execute({ userId, at: times[1]! })).balanceCents).toBe(1_000);
  });

  it('is the fold of the earlier events between two events', async () => {
    expect((await stack.balance.execute({ userId, at: midpoint(times[1]!, times[2]!) })).balanceCents).toBe(1_000);
    expect((await stack.balance.execute({ userId, at: midpoint(times[2]!, times[3]!) })).balanceCents).toBe(700);
  });

  it('is the current balance after the last event, equal to the read model', async () => {
    const later = new Date(times[3]!.getTime() + 60_000);
    expect((await stack.balance.execute({ userId, at: later })).balanceCents).toBe(750);
    expect((await stack.balance.execute({ userId })).balanceCents).toBe(750);
  });

  it('is 0 for a wallet that does not exist', async () => {
    expect((await stack.balance.execute({ userId: randomUUID() })).balanceCents).toBe(0);
    expect((await stack.balance.execute({ userId: randomUUID(), at: new Date() })).balanceCents).toBe(0);
  });
});
