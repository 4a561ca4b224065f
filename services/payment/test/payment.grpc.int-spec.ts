import { randomUUID } from 'node:crypto';
import { type INestApplication } from '@nestjs/common';
import { paymentV1 } from '@shop/contracts';
import { callUnary, GrpcStatus } from '@shop/platform';
import { DataSource } from 'typeorm';
import { migratedDatabase, startPaymentApp } from './payment-fixture';

const ALICE = 'a11ce000-0000-4000-8000-000000000001';

/** The payment app started in-process against a real database, driven over real gRPC with the generated client. */
describe('payment gRPC API', () => {
  let database: { url: string; drop: () => Promise<void> };
  let app: INestApplication;
  let client: paymentV1.PaymentServiceClient;
  let httpPort: number;

  beforeAll(async () => {
    database = await migratedDatabase('payment_grpc');
    ({ app, client, httpPort } = await startPaymentApp(database.url));
  });

  afterAll(async () => {
    client?.close();
    await app?.close();
    await database.drop();
  });

  const call = {
    openWallet: (request: paymentV1.OpenWalletRequest) => callUnary('payment', client, client.openWallet, request, { deadlineMs: 5_000 }),
    deposit: (request: paymentV1.DepositRequest) => callUnary('payment', client, client.deposit, request, { deadlineMs: 5_000 }),
    charge: (request: paymentV1.ChargeRequest) => callUnary('payment', client, client.charge, request, { deadlineMs: 5_000 }),
    refund: (request: paymentV1.RefundRequest) => callUnary('payment', client, client.refund, request, { deadlineMs: 5_000 }),
    getBalance: (request: paymentV1.GetBalanceRequest) => callUnary('payment', client, client.getBalance, request, { deadlineMs: 5_000 }),
    getHistory: (request: paymentV1.GetHistoryRequest) => callUnary('payment', client, client.getHistory, request, { deadlineMs: 5_000 }),
  };

  it('serves liveness and metrics on its HTTP port', async () => {
    expect((await fetch(`http://127.0.0.1:${httpPort}/health`)).status).toBe(200);
    const metrics = await fetch(`http://127.0.0.1:${httpPort}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('process_cpu_user_seconds_total');
  });

  it('OpenWallet opens a wallet at 0 and opening it again changes nothing', async () => {
    const userId = randomUUID();
    expect(await call.openWallet({ userId })).toEqual({ userId, balanceCents: 0 });
    expect(await call.openWallet({ userId })).toEqual({ userId, balanceCents: 0 });
    const { events } = await call.getHistory({ userId, afterVersion: 0, limit: 0 });
    expect(events.map((event) => event.type)).toEqual(['WalletOpened']);
  });

  it('Deposit opens a missing wallet, adds the funds and counts a repeated deposit id once', async () => {
    const userId = randomUUID();
    const depositId = randomUUID();
    expect(await call.deposit({ userId, amountCents: 2_500, depositId })).toEqual({ balanceCents: 2_500 });
    expect(await call.deposit({ userId, amountCents: 2_500, depositId })).toEqual({ balanceCents: 2_500 });
    expect(await call.deposit({ userId, amountCents: 500, depositId: randomUUID() })).toEqual({ balanceCents: 3_000 });
  });

  it('Charge charges, declines above the balance, and returns the first outcome when repeated', async () => {
    const userId = randomUUID();
    await call.deposit({ userId, amountCents: 1_000, depositId: randomUUID() });
    const orderId = randomUUID();
    const charged = { orderId, status: paymentV1.ChargeStatus.CHARGE_STATUS_CHARGED, balanceCents: 400, declineReason: '' };
    expect(await call.charge({ orderId, userId, amountCents: 600 })).toEqual(charged);
    expect(await call.charge({ orderId, userId, amountCents: 600 })).toEqual(charged);

    const tooMuch = randomUUID();
    expect(await call.charge({ orderId: tooMuch, userId, amountCents: 401 })).toEqual({
      orderId: tooMuch,
      status: paymentV1.ChargeStatus.CHARGE_STATUS_DECLINED,
      balanceCents: 400,
      declineReason: 'INSUFFICIENT_FUNDS',
    });
  });

  it('Refund returns the charge once and answers refunded=true again with no new event', async () => {
    const userId = randomUUID();
    const orderId = randomUUID();
    await call.deposit({ userId, amountCents: 1_000, depositId: randomUUID() });
    await call.charge({ orderId, userId, amountCents: 300 });

    expect(await call.refund({ orderId })).toEqual({ orderId, refunded: true, amountCents: 300 });
    expect(await call.refund({ orderId })).toEqual({ orderId, refunded: true, amountCents: 300 });
    expect((await call.getBalance({ userId, at: '' })).balanceCents).toBe(1_000);
    const { events } = await call.getHistory({ userId, afterVersion: 0, limit: 0 });
    expect(events.filter((event) => event.type === 'PaymentRefunded')).toHaveLength(1);
  });

  it('Refund of an unknown order voids it, and a late Charge for it is declined with ORDER_VOIDED', async () => {
    const userId = randomUUID();
    const orderId = randomUUID();
    await call.deposit({ userId, amountCents: 1_000, depositId: randomUUID() });

    expect(await call.refund({ orderId })).toEqual({ orderId, refunded: false, amountCents: 0 });
    expect(await call.charge({ orderId, userId, amountCents: 300 })).toEqual({
      orderId,
      status: paymentV1.ChargeStatus.CHARGE_STATUS_DECLINED,
      balanceCents: 1_000,
      declineReason: 'ORDER_VOIDED',
    });
  });

  it('GetBalance answers now and at a past instant, echoing the instant, and 0 for an unknown wallet', async () => {
    expect((await call.getBalance({ userId: ALICE, at: '' })).balanceCents).toBe(100_000);
    const before = Date.now();
    const now = await call.getBalance({ userId: randomUUID(), at: '' });
    expect(now.balanceCents).toBe(0);
    expect(Date.parse(now.asOf)).toBeGreaterThanOrEqual(before - 1);

    expect(await call.getBalance({ userId: ALICE, at: '2020-01-01T00:00:00Z' })).toEqual({ balanceCents: 0, asOf: '2020-01-01T00:00:00.000Z' });
    expect(await call.getBalance({ userId: ALICE, at: '2999-01-01T01:00:00+01:00' })).toEqual({
      balanceCents: 100_000,
      asOf: '2999-01-01T00:00:00.000Z',
    });
  });

  it('GetHistory lists the events oldest first with their data as JSON', async () => {
    const { events } = await call.getHistory({ userId: ALICE, afterVersion: 0, limit: 0 });
    expect(events.map((event) => [event.version, event.type])).toEqual([
      [1, 'WalletOpened'],
      [2, 'FundsDeposited'],
    ]);
    expect(JSON.parse(events[1]!.dataJson)).toEqual({ depositId: '5eed0000-0000-4000-8000-000000000001', amountCents: 100_000 });
    expect(Number.isNaN(Date.parse(events[0]!.occurredAt))).toBe(false);
    expect((await call.getHistory({ userId: randomUUID(), afterVersion: 0, limit: 0 })).events).toEqual([]);
  });

  it('GetHistory answers a page at a time: the events after a version, at most the limit, and whether more follow', async () => {
    const userId = randomUUID();
    for (let n = 0; n < 4; n++) await call.deposit({ userId, amountCents: 100, depositId: randomUUID() });
    const page = async (afterVersion: number, limit: number) => {
      const answer = await call.getHistory({ userId, afterVersion, limit });
      return { versions: answer.events.map((event) => event.version), more: answer.more };
    };
    // Four deposits: version 1 opened the wallet, 2 to 5 are the deposits.
    expect(await page(0, 2)).toEqual({ versions: [1, 2], more: true });
    expect(await page(2, 2)).toEqual({ versions: [3, 4], more: true });
    expect(await page(4, 2)).toEqual({ versions: [5], more: false });
    expect(await page(0, 0)).toEqual({ versions: [1, 2, 3, 4, 5], more: false });
    await expect(call.getHistory({ userId, afterVersion: 0, limit: 501 })).rejects.toMatchObject({ grpcCode: GrpcStatus.INVALID_ARGUMENT });
  });

  it.each([
    ['GetBalance with a malformed instant', () => call.getBalance({ userId: ALICE, at: 'yesterday' })],
    ['GetBalance with an instant without a zone', () => call.getBalance({ userId: ALICE, at: '2026-01-01T00:00:00' })],
    ['Deposit of a negative amount', () => call.deposit({ userId: randomUUID(), amountCents: -5, depositId: randomUUID() })],
    ['Deposit above the largest deposit', () => call.deposit({ userId: randomUUID(), amountCents: 100_000_001, depositId: randomUUID() })],
    ['Deposit without a deposit id', () => call.deposit({ userId: randomUUID(), amountCents: 5, depositId: '' })],
    ['Charge of zero cents', () => call.charge({ orderId: randomUUID(), userId: ALICE, amountCents: 0 })],
    ['OpenWallet with a user id that is not a UUID', () => call.openWallet({ userId: 'alice' })],
    ['Refund with no order id', () => call.refund({ orderId: '' })],
  ])('answers INVALID_ARGUMENT to %s and records nothing', async (_, send) => {
    const [{ n: before }] = await app.get(DataSource).query(`SELECT count(*)::int AS n FROM events`);
    await expect(send()).rejects.toMatchObject({ grpcCode: GrpcStatus.INVALID_ARGUMENT });
    const [{ n: after }] = await app.get(DataSource).query(`SELECT count(*)::int AS n FROM events`);
    expect(after).toBe(before);
  });

  it('answers ALREADY_EXISTS to a deposit id reused for another amount', async () => {
    const userId = randomUUID();
    const depositId = randomUUID();
    await call.deposit({ userId, amountCents: 100, depositId });
    await expect(call.deposit({ userId, amountCents: 200, depositId })).rejects.toMatchObject({ grpcCode: GrpcStatus.ALREADY_EXISTS });
  });
});
