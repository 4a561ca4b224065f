import { InMemoryPaymentPorts } from '../../../test/in-memory-ports';
import { GetBalanceHandler } from '../queries/get-balance.query';
import { GetHistoryHandler } from '../queries/get-history.query';
import { WalletStore } from '../wallet-store';
import { ChargePaymentHandler } from './charge-payment.command';
import { DepositFundsHandler } from './deposit-funds.command';
import { OpenWalletHandler } from './open-wallet.command';
import { RefundPaymentHandler } from './refund-payment.command';

const USER = 'a11ce000-0000-4000-8000-000000000001';
const fast = { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 1 };

function setUp() {
  const ports = new InMemoryPaymentPorts();
  const wallets = new WalletStore(ports);
  return {
    ports,
    open: new OpenWalletHandler(wallets, fast),
    deposit: new DepositFundsHandler(wallets, fast),
    charge: new ChargePaymentHandler(wallets, ports, fast),
    refund: new RefundPaymentHandler(wallets, ports, fast),
    balance: new GetBalanceHandler(ports, wallets, () => new Date('2030-01-01T00:00:00.000Z')),
    history: new GetHistoryHandler(wallets),
  };
}

describe('wallet commands', () => {
  it('opens a wallet once, however often OpenWallet is called', async () => {
    const app = setUp();
    expect(await app.open.execute({ userId: USER })).toEqual({ userId: USER, balanceCents: 0, opened: true });
    expect(await app.open.execute({ userId: USER })).toEqual({ userId: USER, balanceCents: 0, opened: false });
    expect(app.ports.typesOf(USER)).toEqual(['WalletOpened']);
  });

  it('opens the wallet in the same append as the first deposit and carries the correlation id', async () => {
    const app = setUp();
    const correlationId = 'c0000000-0000-4000-8000-000000000001';
    expect(await app.deposit.execute({ userId: USER, depositId: 'd-1', amountCents: 500, correlationId })).toEqual({ balanceCents: 500, deposited: true });
    expect(app.ports.events.map((event) => [event.type, event.version, event.correlationId])).toEqual([
      ['WalletOpened', 1, correlationId],
      ['FundsDeposited', 2, correlationId],
    ]);
    expect(await app.deposit.execute({ userId: USER, depositId: 'd-1', amountCents: 500 })).toEqual({ balanceCents: 500, deposited: false });
  });

  it('retries a charge that lost a race from freshly loaded state and records it once', async () => {
    const app = setUp();
    await app.deposit.execute({ userId: USER, depositId: 'd-1', amountCents: 500 });
    app.ports.raceOnNextAppends = 2;
    expect(await app.charge.execute({ userId: USER, orderId: 'o-1', amountCents: 200 })).toEqual({
      orderId: 'o-1',
      status: 'CHARGED',
      amountCents: 200,
      balanceCents: 300,
    });
    expect(app.ports.typesOf(USER)).toEqual(['WalletOpened', 'FundsDeposited', 'PaymentCharged']);
  });

  it('declines a charge for a user without a wallet, recording the opening and the decline', async () => {
    const app = setUp();
    expect(await app.charge.execute({ userId: USER, orderId: 'o-1', amountCents: 200 })).toMatchObject({
      status: 'DECLINED',
      declineReason: 'INSUFFICIENT_FUNDS',
      balanceCents: 0,
    });
    expect(app.ports.typesOf(USER)).toEqual(['WalletOpened', 'PaymentDeclined']);
  });

  it('declines with ORDER_VOIDED a charge whose order a refund voided between decision and append', async () => {
    const app = setUp();
    await app.deposit.execute({ userId: USER, depositId: 'd-1', amountCents: 500 });
    app.ports.beforeNextAppend = async () => {
      await app.refund.execute({ orderId: 'o-1' });
    };
    expect(await app.charge.execute({ userId: USER, orderId: 'o-1', amountCents: 200 })).toMatchObject({
      status: 'DECLINED',
      declineReason: 'ORDER_VOIDED',
      balanceCents: 500,
    });
  });

  it('refuses to charge an order that another wallet recorded', async () => {
    const app = setUp();
    await app.deposit.execute({ userId: USER, depositId: 'd-1', amountCents: 500 });
    await app.charge.execute({ userId: USER, orderId: 'o-1', amountCents: 200 });
    await expect(app.charge.execute({ userId: 'b0b00000-0000-4000-8000-000000000002', orderId: 'o-1', amountCents: 200 })).rejects.toMatchObject({
      code: 'PAYMENT.ORDER_OF_ANOTHER_WALLET',
    });
  });

  it('refunds a charge once and answers refunded=true to the repeat with no new event', async () => {
    const app = setUp();
    await app.deposit.execute({ userId: USER, depositId: 'd-1', amountCents: 500 });
    await app.charge.execute({ userId: USER, orderId: 'o-1', amountCents: 200 });
    const refunded = { orderId: 'o-1', refunded: true, amountCents: 200, voided: false };
    expect(await app.refund.execute({ orderId: 'o-1' })).toEqual(refunded);
    expect(await app.refund.execute({ orderId: 'o-1' })).toEqual(refunded);
    expect(app.ports.typesOf(USER).filter((type) => type === 'PaymentRefunded')).toHaveLength(1);
    expect((await app.balance.execute({ userId: USER })).balanceCents).toBe(500);
  });

  it('voids an order it does not know and gives nothing back for a declined one', async () => {
    const app = setUp();
    expect(await app.refund.execute({ orderId: 'o-unknown' })).toEqual({ orderId: 'o-unknown', refunded: false, amountCents: 0, voided: true });
    expect(app.ports.voided.has('o-unknown')).toBe(true);

    await app.deposit.execute({ userId: USER, depositId: 'd-1', amountCents: 100 });
    await app.charge.execute({ userId: USER, orderId: 'o-big', amountCents: 200 });
    expect(await app.refund.execute({ orderId: 'o-big' })).toEqual({ orderId: 'o-big', refunded: false, amountCents: 0, voided: false });
  });
});

describe('wallet queries', () => {
  it('answers the balance now from the read model and at an instant from the fold of earlier events', async () => {
    const app = setUp();
    await app.deposit.execute({ userId: USER, depositId: 'd-1', amountCents: 500 });
    await app.charge.execute({ userId: USER, orderId: 'o-1', amountCents: 200 });
    const [, deposited, charged] = app.ports.events;

    expect(await app.balance.execute({ userId: USER })).toEqual({ balanceCents: 300, asOf: new Date('2030-01-01T00:00:00.000Z') });
    expect((await app.balance.execute({ userId: USER, at: deposited!.occurredAt })).balanceCents).toBe(500);
    expect((await app.balance.execute({ userId: USER, at: new Date(charged!.occurredAt.getTime() - 1) })).balanceCents).toBe(500);
    expect((await app.balance.execute({ userId: 'nobody' })).balanceCents).toBe(0);
  });

  it('lists the history oldest first', async () => {
    const app = setUp();
    await app.deposit.execute({ userId: USER, depositId: 'd-1', amountCents: 500 });
    const { events, more } = await app.history.execute({ userId: USER });
    expect(events.map(({ version, type, data }) => ({ version, type, data }))).toEqual([
      { version: 1, type: 'WalletOpened', data: { userId: USER } },
      { version: 2, type: 'FundsDeposited', data: { depositId: 'd-1', amountCents: 500 } },
    ]);
    expect(more).toBe(false);
  });

  it('pages the history: at most the limit after a version, saying whether more follow, never more than 500 at once', async () => {
    const app = setUp();
    for (let n = 1; n <= 4; n++) await app.deposit.execute({ userId: USER, depositId: `d-${n}`, amountCents: 100 });
    const versions = async (afterVersion: number, limit: number) => {
      const page = await app.history.execute({ userId: USER, afterVersion, limit });
      return { versions: page.events.map((event) => event.version), more: page.more };
    };
    expect(await versions(0, 2)).toEqual({ versions: [1, 2], more: true });
    expect(await versions(2, 2)).toEqual({ versions: [3, 4], more: true });
    expect(await versions(4, 2)).toEqual({ versions: [5], more: false });
    expect(await versions(0, 0)).toEqual({ versions: [1, 2, 3, 4, 5], more: false });
    expect(await versions(0, 10_000)).toEqual({ versions: [1, 2, 3, 4, 5], more: false });
  });
});
