/**
 * API composition (docs/patterns/10-api-composition.md): the dashboard asks four services in parallel
 * (profile from user, recent orders from order's read model, the wallet balance from payment, and
 * recommendations), each call through its upstream's breaker, waits for each part until the part deadline and
 * answers within one overall deadline: a part that fails or is late is left empty (or falls back to popular items)
 * and named in `degraded`.
 */
import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '@shop/platform';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { type OrderSummary, OrderGrpcClient } from '../clients/order.grpc-client';
import { type Balance, PaymentGrpcClient } from '../clients/payment.grpc-client';
import { type Recommendation } from '../clients/recommendation.grpc-client';
import { type Profile, UserGrpcClient } from '../clients/user.grpc-client';
import { fallbacksCounter, RecommendationsWithFallback } from './recommendations-with-fallback';

export type DashboardPart = 'profile' | 'orders' | 'wallet' | 'recommendations';

export interface Dashboard {
  readonly profile: Profile | null;
  readonly orders: OrderSummary[];
  readonly wallet: Balance | null;
  readonly recommendations: Recommendation[];
  readonly degraded: DashboardPart[];
}

export interface DashboardDeadlines {
  /** The whole answer is sent within this time. */
  readonly overallMs: number;
  /** How long the composer waits for each part; the call itself runs under its upstream's policy timeout. */
  readonly partMs: number;
}

export const RECENT_ORDERS = 5;
export const RECOMMENDED_ITEMS = 5;
const LATE = Symbol('late');

interface PartResult<T> {
  readonly value: T;
  readonly degraded: boolean;
}

@Injectable()
export class DashboardComposer {
  private readonly deadlines: DashboardDeadlines;

  constructor(
    @Inject(UserGrpcClient) private readonly users: Pick<UserGrpcClient, 'getUser'>,
    @Inject(OrderGrpcClient) private readonly orders: Pick<OrderGrpcClient, 'listOrders'>,
    @Inject(PaymentGrpcClient) private readonly payments: Pick<PaymentGrpcClient, 'getBalance'>,
    @Inject(RecommendationsWithFallback) private readonly recommendations: Pick<RecommendationsWithFallback, 'get' | 'cachedFallback'>,
    @Inject(GATEWAY_CONFIG) config: Pick<GatewayConfig, 'GATEWAY_DASHBOARD_DEADLINE_MS' | 'GATEWAY_DASHBOARD_PART_TIMEOUT_MS'>,
  ) {
    this.deadlines = { overallMs: config.GATEWAY_DASHBOARD_DEADLINE_MS, partMs: config.GATEWAY_DASHBOARD_PART_TIMEOUT_MS };
  }

  async compose(userId: string, requestId: string): Promise<Dashboard> {
    // No deadline goes down with the calls: each one runs under its upstream's policy (timeout and breaker), which the
    // upstream's other callers share, and the composer only stops waiting for it. A part abandoned at the dashboard's
    // shorter deadline is late for this answer, not a failure of its dependency, and must not open that breaker.
    const call = { requestId };
    const timers: NodeJS.Timeout[] = [];
    const lateAfter = (ms: number): Promise<typeof LATE> =>
      new Promise((resolve) => {
        timers.push(setTimeout(() => resolve(LATE), ms));
      });
    const partLate = lateAfter(this.deadlines.partMs);
    const overallLate = lateAfter(this.deadlines.overallMs);
    const within = async <T>(work: Promise<T>, late: Promise<typeof LATE>, fallback: () => T): Promise<PartResult<T>> => {
      try {
        const value = await Promise.race([work, late]);
        return value === LATE ? { value: fallback(), degraded: true } : { value, degraded: false };
      } catch (error) {
        // A resource that does not exist (no wallet yet) is an empty part, not a degraded one.
        const notFound = error instanceof DomainError && error.category === 'not_found';
        return { value: fallback(), degraded: !notFound };
      }
    };
    try {
      const [profile, orders, wallet, recommendations] = await Promise.all([
        within<Profile | null>(this.users.getUser(userId, call), partLate, () => null),
        within<OrderSummary[]>(this.orders.listOrders(userId, RECENT_ORDERS, call), partLate, () => []),
        within<Balance | null>(this.payments.getBalance(userId, undefined, call), partLate, () => null),
        // Recommendations stop waiting at the part deadline themselves and fall back to popular items, which may ask
        // inventory: that gets until the overall deadline, then the popular items known without a call stand in.
        within(this.recommendations.get(userId, RECOMMENDED_ITEMS, { requestId, waitMs: this.deadlines.partMs }), overallLate, () => ({
          items: this.recommendations.cachedFallback(RECOMMENDED_ITEMS),
          degraded: true,
        })),
      ]);
      const degraded: DashboardPart[] = [];
      if (profile.degraded) degraded.push('profile');
      if (orders.degraded) degraded.push('orders');
      if (wallet.degraded) degraded.push('wallet');
      for (const [dependency, part] of [['user', profile], ['order', orders], ['payment', wallet], ['recommendation', recommendations]] as const) {
        if (part.degraded) fallbacksCounter.inc({ dependency, fallback: 'dashboard-part' });
      }
      if (recommendations.degraded || recommendations.value.degraded) degraded.push('recommendations');
      return {
        profile: profile.value,
        orders: orders.value,
        wallet: wallet.value,
        recommendations: recommendations.value.items,
        degraded,
      };
    } finally {
      for (const timer of timers) clearTimeout(timer);
    }
  }
}
