/**
 * API gateway pattern (docs/patterns/01-api-gateway.md): the caller's wallet, an event-sourced aggregate in
 * payment (docs/patterns/04-event-sourcing.md), reached over gRPC: deposits, the balance now or at any past
 * instant (`?at=`), and the wallet's events, oldest first.
 */
import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { WALLET_HISTORY_PAGE } from '@shop/contracts';
import { type PaymentGrpcClient } from '../clients/payment.grpc-client';
import { type GatewayRoutes, sendJson } from './gateway-route';
import { idempotencyHeaders } from './orders.routes';

export const depositBody = z.strictObject({ amountCents: z.number().int().positive().max(100_000_000) });

export const balanceQuery = z.strictObject({
  at: z.iso.datetime({ offset: true }).optional().describe('An ISO-8601 instant: the balance as it was then'),
});

/**
 * The deposit id payment uses to count a deposit once. With an Idempotency-Key it is derived from the user
 * and the key (a retried request deposits once; the same key of another user is another deposit); without
 * one, every request is a new deposit.
 */
export function depositIdFor(userId: string, idempotencyKey: string | undefined): string {
  if (idempotencyKey === undefined) return randomUUID();
  const hex = createHash('sha256').update(`deposit:${userId}:${idempotencyKey}`).digest('hex');
  // Shaped as a name-based UUID (version 8, RFC 9562 variant) so it fits any uuid column.
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const balance = z.object({ balanceCents: z.number().int(), asOf: z.iso.datetime() });
export const historyQuery = z.strictObject({
  after: z.coerce.number().int().min(0).max(2_147_483_647).optional().describe('Only the events after this version'),
  limit: z.coerce.number().int().min(1).max(WALLET_HISTORY_PAGE.max).optional().describe(`Events per page, ${WALLET_HISTORY_PAGE.default} unless given`),
});

const walletEvent = z.object({ version: z.number().int(), type: z.string(), occurredAt: z.iso.datetime(), data: z.unknown() });

export function registerWalletRoutes(routes: GatewayRoutes, payments: Pick<PaymentGrpcClient, 'deposit' | 'getBalance' | 'getHistory'>): void {
  routes.add({
    method: 'POST',
    url: '/api/wallet/deposits',
    summary: "Deposit money into the caller's wallet",
    tag: 'wallet',
    access: 'private',
    headers: idempotencyHeaders,
    body: depositBody,
    responses: { 201: { description: 'The new balance', schema: z.object({ balanceCents: z.number().int() }) }, 400: { description: 'Invalid amount' } },
    handle: async ({ body, headers, userId, requestId }, reply) => {
      const depositId = depositIdFor(userId, headers['idempotency-key']);
      return sendJson(reply, 201, await payments.deposit(userId, body.amountCents, depositId, { requestId }));
    },
  });

  routes.add({
    method: 'GET',
    url: '/api/wallet',
    summary: "The caller's balance, now or at a past instant",
    tag: 'wallet',
    access: 'private',
    query: balanceQuery,
    responses: { 200: { description: 'Balance', schema: balance }, 400: { description: '`at` is not an ISO-8601 instant' } },
    handle: async ({ query, userId, requestId }, reply) => sendJson(reply, 200, await payments.getBalance(userId, query.at, { requestId })),
  });

  routes.add({
    method: 'GET',
    url: '/api/wallet/history',
    summary: "The wallet's events, oldest first, a page at a time; a `Link: <…>; rel=\"next\"` header points to the next page",
    tag: 'wallet',
    access: 'private',
    query: historyQuery,
    responses: { 200: { description: 'Events', schema: z.array(walletEvent) }, 400: { description: '`after` or `limit` out of range' } },
    handle: async ({ query, userId, requestId }, reply) => {
      const page = { afterVersion: query.after ?? 0, limit: query.limit ?? WALLET_HISTORY_PAGE.default };
      const { events, more } = await payments.getHistory(userId, page, { requestId });
      const last = events.at(-1);
      if (more && last) void reply.header('link', `</api/wallet/history?after=${last.version}&limit=${page.limit}>; rel="next"`);
      return sendJson(reply, 200, events);
    },
  });
}
