/**
 * API gateway pattern (docs/patterns/01-api-gateway.md): registration, login and the caller's profile,
 * routed to the user service. Login answers the user service's token; /api/me uses only the token's `sub`.
 */
import { z } from 'zod';
import { type UserHttpClient } from '../clients/user.http-client';
import { type GatewayRoutes, sendUpstream } from './gateway-route';

export const registerBody = z.strictObject({
  email: z.email().max(254),
  password: z.string().min(8).max(128),
  name: z.string().trim().min(1).max(100),
});

export const loginBody = z.strictObject({
  email: z.email().max(254),
  password: z.string().min(1).max(128),
});

const user = z.object({ id: z.uuid(), email: z.email(), name: z.string() });
const profile = user.extend({ createdAt: z.iso.datetime() });
const session = z.object({ accessToken: z.string(), tokenType: z.literal('Bearer'), expiresIn: z.number().int() });

export function registerAuthRoutes(routes: GatewayRoutes, users: Pick<UserHttpClient, 'register' | 'login' | 'getUser'>): void {
  routes.add({
    method: 'POST',
    url: '/api/auth/register',
    summary: 'Register a user',
    tag: 'auth',
    access: 'public',
    body: registerBody,
    responses: { 201: { description: 'The new user', schema: user }, 400: { description: 'Invalid body' }, 409: { description: 'The email is taken' } },
    handle: async ({ body, requestId }, reply) => sendUpstream(reply, 'user', await users.register(body, { requestId })),
  });

  routes.add({
    method: 'POST',
    url: '/api/auth/login',
    summary: 'Log in: exchange credentials for a bearer token (JWT)',
    tag: 'auth',
    access: 'public',
    body: loginBody,
    responses: { 200: { description: 'A bearer token', schema: session }, 401: { description: 'Wrong email or password' } },
    handle: async ({ body, requestId }, reply) => sendUpstream(reply, 'user', await users.login(body, { requestId })),
  });

  routes.add({
    method: 'GET',
    url: '/api/me',
    summary: "The caller's profile",
    tag: 'auth',
    access: 'private',
    responses: { 200: { description: 'Profile', schema: profile }, 401: { description: 'Missing or bad token' } },
    handle: async ({ userId, requestId }, reply) => sendUpstream(reply, 'user', await users.getUser(userId, { requestId, userId })),
  });
}
