/**
 * API composition (docs/patterns/10-api-composition.md): one request, four services asked in parallel,
 * one answer within its deadline (see composition/dashboard.composer.ts).
 */
import { z } from 'zod';
import { type DashboardComposer } from '../composition/dashboard.composer';
import { type GatewayRoutes, sendJson } from './gateway-route';

const dashboard = z.object({
  profile: z.object({ id: z.uuid(), email: z.email(), name: z.string(), createdAt: z.string() }).nullable(),
  orders: z.array(z.object({ id: z.uuid(), status: z.string(), totalCents: z.number().int(), createdAt: z.string() })),
  wallet: z.object({ balanceCents: z.number().int(), asOf: z.string() }).nullable(),
  recommendations: z.array(z.object({ productId: z.uuid(), score: z.number() })),
  degraded: z.array(z.enum(['profile', 'orders', 'wallet', 'recommendations'])).describe('Parts that failed or were late'),
});

export function registerDashboardRoutes(routes: GatewayRoutes, composer: Pick<DashboardComposer, 'compose'>): void {
  routes.add({
    method: 'GET',
    url: '/api/dashboard',
    summary: "The caller's profile, recent orders, wallet and recommendations in one answer",
    tag: 'dashboard',
    access: 'private',
    responses: { 200: { description: 'Dashboard; unavailable parts are empty and named in `degraded`', schema: dashboard } },
    handle: async ({ userId, requestId }, reply) => sendJson(reply, 200, await composer.compose(userId, requestId)),
  });
}
