import { randomUUID } from 'node:crypto';
import { DependencyUnavailableError, GrpcCallError, GrpcStatus } from '@shop/platform';
import { type OrderSummary } from '../clients/order.grpc-client';
import { type Balance } from '../clients/payment.grpc-client';
import { type Recommendation } from '../clients/recommendation.grpc-client';
import { type Profile } from '../clients/user.grpc-client';
import { DashboardComposer } from './dashboard.composer';
import { type RecommendationsAnswer } from './recommendations-with-fallback';

const userId = randomUUID();
const profile: Profile = { id: userId, email: 'ann@example.com', name: 'Ann', createdAt: '2026-11-01T00:00:00.000Z' };
const orders: OrderSummary[] = [{ id: randomUUID(), status: 'CONFIRMED', totalCents: 1999, createdAt: '2026-11-02T00:00:00.000Z' }];
const wallet: Balance = { balanceCents: 5000, asOf: '2026-11-27T00:00:00.000Z' };
const personal: Recommendation[] = [{ productId: randomUUID(), score: 0.9 }];
const popular: Recommendation[] = [{ productId: randomUUID(), score: 0 }];

const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

interface Fakes {
  getUser?: () => Promise<Profile>;
  listOrders?: (userId: string, limit: number, options: unknown) => Promise<OrderSummary[]>;
  getBalance?: () => Promise<Balance>;
  getRecommendations?: () => Promise<RecommendationsAnswer>;
}

function composer(fakes: Fakes = {}, deadlines = { overall: 150, part: 100 }): DashboardComposer {
  return new DashboardComposer(
    { getUser: fakes.getUser ?? (async () => profile) },
    { listOrders: fakes.listOrders ?? (async () => orders) },
    { getBalance: fakes.getBalance ?? (async () => wallet) },
    { get: fakes.getRecommendations ?? (async () => ({ items: personal, degraded: false })), cachedFallback: () => popular },
    { GATEWAY_DASHBOARD_DEADLINE_MS: deadlines.overall, GATEWAY_DASHBOARD_PART_TIMEOUT_MS: deadlines.part },
  );
}

describe('DashboardComposer', () => {
  it('composes profile, orders, wallet and recommendations when every service answers', async () => {
    await expect(composer().compose(userId, 'req-1')).resolves.toEqual({ profile, orders, wallet, recommendations: personal, degraded: [] });
  });

  it('asks the four services in parallel, so the answer takes as long as the slowest part, not the sum', async () => {
    const slow = <T>(value: T): (() => Promise<T>) => () => new Promise((resolve) => setTimeout(() => resolve(value), 60));
    const started = Date.now();
    const dashboard = await composer(
      { getUser: slow(profile), listOrders: slow(orders), getBalance: slow(wallet), getRecommendations: slow({ items: personal, degraded: false }) },
      { overall: 500, part: 400 },
    ).compose(userId, 'req-2');
    expect(dashboard.degraded).toEqual([]);
    expect(Date.now() - started).toBeLessThan(200);
  });

  it('leaves a failed part empty and names it in degraded', async () => {
    const dashboard = await composer({ getBalance: () => Promise.reject(new DependencyUnavailableError('payment', 'circuit breaker is open')) }).compose(userId, 'r');
    expect(dashboard).toMatchObject({ profile, orders, wallet: null, degraded: ['wallet'] });
  });

  it('answers within the overall deadline when a service hangs, with popular items for recommendations', async () => {
    const started = Date.now();
    const dashboard = await composer({ getRecommendations: never, listOrders: never }, { overall: 150, part: 100 }).compose(userId, 'r');
    const elapsed = Date.now() - started;
    expect(dashboard).toMatchObject({ profile, orders: [], wallet, recommendations: popular, degraded: ['orders', 'recommendations'] });
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(elapsed).toBeLessThan(400);
  });

  it('stops waiting for a part at the part deadline without cutting its call short', async () => {
    const asked: unknown[] = [];
    const slowOrders = (_userId: string, _limit: number, options: unknown): Promise<OrderSummary[]> => {
      asked.push(options);
      return new Promise((resolve) => setTimeout(() => resolve(orders), 250));
    };
    const started = Date.now();
    const dashboard = await composer({ listOrders: slowOrders }, { overall: 400, part: 100 }).compose(userId, 'req-late');
    expect(dashboard).toMatchObject({ profile, orders: [], wallet, degraded: ['orders'] });
    expect(Date.now() - started).toBeLessThan(200);
    // No deadline of the dashboard's own goes down with the call: it runs under the order policy's timeout, so being
    // late for the dashboard does not count against the breaker that order's writes use.
    expect(asked).toEqual([{ requestId: 'req-late' }]);
  });

  it('reports recommendations as degraded when they came from the fallback', async () => {
    const dashboard = await composer({ getRecommendations: async () => ({ items: popular, degraded: true }) }).compose(userId, 'r');
    expect(dashboard).toMatchObject({ recommendations: popular, degraded: ['recommendations'] });
  });

  it('treats a part that does not exist (no wallet yet) as empty, not degraded', async () => {
    const dashboard = await composer({ getBalance: () => Promise.reject(new GrpcCallError(GrpcStatus.NOT_FOUND, 'payment', 'no wallet')) }).compose(userId, 'r');
    expect(dashboard).toMatchObject({ wallet: null, degraded: [] });
  });
});
