import { randomUUID } from 'node:crypto';
import { type paymentV1 } from '@shop/contracts';
import { callUnary, GrpcCallError, GrpcStatus } from '@shop/platform';
import { migratedDatabase, type RunningPayment, startPaymentApp } from './payment-fixture';

/** Starts the payment app in-process (real database, real gRPC), with or without the fault switches. */
const startPayment = (databaseUrl: string, chaosEnabled: boolean): Promise<RunningPayment> =>
  startPaymentApp(databaseUrl, { env: chaosEnabled ? { CHAOS_ENABLED: 'true' } : {} });

const setChaos = (httpPort: number, settings: unknown): Promise<Response> =>
  fetch(`http://127.0.0.1:${httpPort}/admin/chaos`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(settings),
  });

/** Fault switches for demos and failure tests (docs/patterns/03-circuit-breaker.md): on only with CHAOS_ENABLED=true. */
describe('payment fault switches', () => {
  let database: { url: string; drop: () => Promise<void> };
  let withChaos: RunningPayment;
  let withoutChaos: RunningPayment;

  beforeAll(async () => {
    database = await migratedDatabase('payment_chaos');
    withChaos = await startPayment(database.url, true);
    withoutChaos = await startPayment(database.url, false);
  });

  afterAll(async () => {
    for (const running of [withChaos, withoutChaos]) {
      running?.client.close();
      await running?.app.close();
    }
    await database?.drop();
  });

  const balance = (running: RunningPayment, deadlineMs = 5_000): Promise<paymentV1.GetBalanceResponse> =>
    callUnary('payment', running.client, running.client.getBalance, { userId: randomUUID(), at: '' }, { deadlineMs });

  afterEach(async () => {
    await setChaos(withChaos.httpPort, {});
  });

  it('are absent unless CHAOS_ENABLED is true: no route, and calls are untouched', async () => {
    expect((await setChaos(withoutChaos.httpPort, { errorRate: 1 })).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${withoutChaos.httpPort}/admin/chaos`)).status).toBe(404);
    await expect(balance(withoutChaos)).resolves.toMatchObject({ balanceCents: 0 });
  });

  it('start off, and report the settings they hold', async () => {
    const current = await fetch(`http://127.0.0.1:${withChaos.httpPort}/admin/chaos`);
    expect(current.status).toBe(200);
    expect(await current.json()).toEqual({ latencyMs: 0, errorRate: 0, hang: false, replyDelayMs: 0, methods: [] });
    await expect(balance(withChaos)).resolves.toMatchObject({ balanceCents: 0 });
  });

  it('add latency to every gRPC call', async () => {
    const response = await setChaos(withChaos.httpPort, { latencyMs: 400 });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ latencyMs: 400, errorRate: 0, hang: false, replyDelayMs: 0, methods: [] });
    const started = performance.now();
    await balance(withChaos);
    expect(performance.now() - started).toBeGreaterThanOrEqual(390);
    // A caller with a shorter deadline than the latency sees DEADLINE_EXCEEDED.
    await expect(balance(withChaos, 100)).rejects.toMatchObject({ details: { grpcCode: GrpcStatus.DEADLINE_EXCEEDED } });
  });

  it('fail calls with UNAVAILABLE at the configured error rate', async () => {
    await setChaos(withChaos.httpPort, { errorRate: 1 });
    const error = await balance(withChaos).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GrpcCallError);
    expect(error).toMatchObject({ category: 'unavailable', details: { grpcCode: GrpcStatus.UNAVAILABLE } });
  });

  it('hang calls until the caller gives up, and recover when switched off', async () => {
    await setChaos(withChaos.httpPort, { hang: true });
    await expect(balance(withChaos, 300)).rejects.toMatchObject({ details: { grpcCode: GrpcStatus.DEADLINE_EXCEEDED } });
    await setChaos(withChaos.httpPort, {});
    await expect(balance(withChaos)).resolves.toMatchObject({ balanceCents: 0 });
  });

  it('delay the reply after the work is done: a caller that gives up has still had its effect', async () => {
    await setChaos(withChaos.httpPort, { replyDelayMs: 400 });
    const userId = randomUUID();
    const deposit = { userId, amountCents: 2_500, depositId: randomUUID() };
    await expect(callUnary('payment', withChaos.client, withChaos.client.deposit, deposit, { deadlineMs: 100 })).rejects.toMatchObject({
      details: { grpcCode: GrpcStatus.DEADLINE_EXCEEDED },
    });
    await setChaos(withChaos.httpPort, {});
    const after = await callUnary('payment', withChaos.client, withChaos.client.getBalance, { userId, at: '' }, { deadlineMs: 5_000 });
    expect(after.balanceCents).toBe(2_500);
  });

  it('apply only to the methods named, when some are', async () => {
    await setChaos(withChaos.httpPort, { errorRate: 1, methods: ['Charge'] });
    await expect(balance(withChaos)).resolves.toMatchObject({ balanceCents: 0 });
    const charge = { orderId: randomUUID(), userId: randomUUID(), amountCents: 100 };
    await expect(callUnary('payment', withChaos.client, withChaos.client.charge, charge, { deadlineMs: 5_000 })).rejects.toMatchObject({
      details: { grpcCode: GrpcStatus.UNAVAILABLE },
    });
  });

  it('refuse bad settings with 400 and keep the ones they had', async () => {
    await setChaos(withChaos.httpPort, { latencyMs: 5 });
    for (const bad of [{ errorRate: 2 }, { latencyMs: -1 }, { hang: 'yes' }, { latency: 10 }, { methods: ['../Charge'] }]) {
      const response = await setChaos(withChaos.httpPort, bad);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ message: expect.any(String) });
    }
    expect(await (await fetch(`http://127.0.0.1:${withChaos.httpPort}/admin/chaos`)).json()).toEqual({ latencyMs: 5, errorRate: 0, hang: false, replyDelayMs: 0, methods: [] });
  });
});
