/**
 * API gateway pattern (docs/patterns/01-api-gateway.md): orders, routed to the order service with the
 * caller's id (x-user-id, from the token) and the client's Idempotency-Key, so a retried POST places one order.
 */
import { z } from 'zod';
import { type OrderHttpClient } from '../clients/order.http-client';
import { type GatewayRoutes, sendUpstream } from './gateway-route';

export const idempotencyHeaders = z.strictObject({
  'idempotency-key': z
    .string()
    .regex(/^[\x21-\x7e]{1,200}$/, 'Idempotency-Key must be 1 to 200 visible ASCII characters')
    .optional()
    .describe('The same key again returns the first answer instead of acting twice'),
});

export const placeOrderBody = z.strictObject({
  items: z
    .array(z.strictObject({ productId: z.uuid(), quantity: z.number().int().min(1).max(100) }))
    .min(1)
    .max(50),
  saga: z.enum(['orchestration', 'choreography']).optional(),
});

export const orderParams = z.strictObject({ id: z.uuid() });

const status = z.enum(['PENDING', 'CONFIRMED', 'SHIPPED', 'CANCELLED']);
const accepted = z.object({ id: z.uuid(), status });
const order = z.object({
  id: z.uuid(),
  status,
  items: z.array(z.object({ productId: z.uuid(), quantity: z.number().int() })),
  totalCents: z.number().int(),
  reason: z.enum(['OUT_OF_STOCK', 'PAYMENT_DECLINED', 'PAYMENT_UNAVAILABLE']).optional(),
  sagaStyle: z.enum(['orchestration', 'choreography']),
  history: z.array(z.object({ status, at: z.iso.datetime() })),
});

export function registerOrderRoutes(routes: GatewayRoutes, orders: Pick<OrderHttpClient, 'placeOrder' | 'getOrder' | 'listOrders'>): void {
  routes.add({
    method: 'POST',
    url: '/api/orders',
    summary: 'Place an order (accepted, then confirmed or cancelled by the saga)',
    tag: 'orders',
    access: 'private',
    headers: idempotencyHeaders,
    body: placeOrderBody,
    responses: { 202: { description: 'Accepted', schema: accepted }, 400: { description: 'Invalid body' }, 401: { description: 'Missing or bad token' } },
    handle: async ({ body, headers, userId, requestId }, reply) =>
      sendUpstream(reply, 'order', await orders.placeOrder(body, { requestId, userId, idempotencyKey: headers['idempotency-key'] })),
  });

  routes.add({
    method: 'GET',
    url: '/api/orders/:id',
    summary: "One of the caller's orders, with its status history",
    tag: 'orders',
    access: 'private',
    params: orderParams,
    responses: { 200: { description: 'The order', schema: order }, 404: { description: "No such order (or someone else's)" } },
    handle: async ({ params, userId, requestId }, reply) => sendUpstream(reply, 'order', await orders.getOrder(params.id, { requestId, userId })),
  });

  routes.add({
    method: 'GET',
    url: '/api/orders',
    summary: "The caller's orders, newest first",
    tag: 'orders',
    access: 'private',
    responses: { 200: { description: 'Orders', schema: z.array(order) } },
    handle: async ({ userId, requestId }, reply) => sendUpstream(reply, 'order', await orders.listOrders({ requestId, userId })),
  });
}
