import { api, balance, deposit, newCustomer, sleep } from './support/system';

// Pattern 4 through the gateway: the wallet is an event stream; its balance is a fold, at any instant.
describe('the event-sourced wallet through the gateway', () => {
  it('deposits, reads the balance and the history, and answers the balance at a past instant', async () => {
    const customer = await newCustomer();
    const start = new Date();
    expect(await deposit(customer, 5_000)).toBe(5_000);
    await sleep(50);
    const between = new Date();
    await sleep(50);
    expect(await deposit(customer, 2_500)).toBe(7_500);
    expect(await balance(customer)).toBe(7_500);

    const history = await api<Array<{ version: number; type: string; occurredAt: string; data: Record<string, unknown> }>>('GET', '/api/wallet/history', { token: customer.token });
    expect(history.status).toBe(200);
    const types = history.body.map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['WalletOpened', 'FundsDeposited']));
    expect(history.body.filter((e) => e.type === 'FundsDeposited').map((e) => e.data.amountCents)).toEqual([5_000, 2_500]);
    expect(history.body.map((e) => e.version)).toEqual([...history.body.map((e) => e.version)].sort((a, b) => a - b));

    const atBetween = await api<{ balanceCents: number; asOf: string }>('GET', `/api/wallet?at=${encodeURIComponent(between.toISOString())}`, { token: customer.token });
    expect(atBetween.status).toBe(200);
    expect(atBetween.body.balanceCents).toBe(5_000);
    const beforeAll = await api<{ balanceCents: number }>('GET', `/api/wallet?at=${encodeURIComponent(new Date(start.getTime() - 60_000).toISOString())}`, { token: customer.token });
    expect(beforeAll.body.balanceCents).toBe(0);
  });

  it('refuses a bad deposit or a bad instant with 400 and changes nothing', async () => {
    const customer = await newCustomer(1_000);
    for (const body of [{ amountCents: 0 }, { amountCents: -5 }, { amountCents: 1.5 }, { amountCents: 100 , currency: 'EUR' }]) {
      expect((await api('POST', '/api/wallet/deposits', { token: customer.token, body })).status).toBe(400);
    }
    expect((await api('GET', '/api/wallet?at=yesterday', { token: customer.token })).status).toBe(400);
    expect(await balance(customer)).toBe(1_000);
  });

  it('counts a retried deposit with the same Idempotency-Key once', async () => {
    const customer = await newCustomer();
    const key = `deposit-${Date.now()}`;
    for (let i = 0; i < 3; i++) {
      const response = await api('POST', '/api/wallet/deposits', { token: customer.token, body: { amountCents: 700 }, headers: { 'idempotency-key': key } });
      expect(response.status).toBe(201);
    }
    expect(await balance(customer)).toBe(700);
  });
});
