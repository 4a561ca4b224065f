/**
 * API gateway pattern (docs/patterns/01-api-gateway.md): every public route is declared through this kit,
 * so each one gets the same edge treatment: request id, rate limits (per client IP, then per user),
 * JWT authentication, strict zod validation of path, query, headers and body (before any upstream is
 * called), error mapping, and an OpenAPI description generated from the very schemas that validate.
 * Routes are registered on Fastify directly (not as Nest controllers): forwarding is the gateway's hot path.
 */
import { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DomainError, type Logger, parseOrThrow } from '@shop/platform';
import { type JwtVerifier } from '../auth/jwt-verifier';
import { clientIp } from '../rate-limit/client-ip';
import { type FixedWindowRateLimiter, type RateLimitDecision } from '../rate-limit/rate-limiter';
import { type UpstreamResponse } from '../clients/upstream-http';
import { clientErrorBody } from '../clients/upstream-errors';
import { sendError } from './error-reply';

/** public: no token looked at; optional: a token, when sent, must be valid; private: a valid token is required. */
export type Access = 'public' | 'optional' | 'private';

type UserIdOf<A extends Access> = A extends 'private' ? string : string | undefined;

export interface RouteInput<A extends Access, P, Q, H, B> {
  readonly params: P;
  readonly query: Q;
  readonly headers: H;
  readonly body: B;
  /** From the verified token's `sub`, never from the request: the only user id passed to services. */
  readonly userId: UserIdOf<A>;
  readonly requestId: string;
}

export interface ResponseDoc {
  readonly description: string;
  readonly schema?: z.ZodType;
}

export interface RouteDefinition<A extends Access, P, Q, H, B> {
  readonly method: 'GET' | 'POST';
  readonly url: string;
  readonly summary: string;
  readonly tag: string;
  readonly access: A;
  readonly params?: z.ZodType<P>;
  readonly query?: z.ZodType<Q>;
  /** Only the headers named in this object schema (lower-case) are read and validated. */
  readonly headers?: z.ZodType<H> & { readonly shape: Readonly<Record<string, unknown>> };
  readonly body?: z.ZodType<B>;
  readonly responses: Readonly<Record<number, ResponseDoc>>;
  handle(input: RouteInput<A, P, Q, H, B>, reply: FastifyReply): Promise<FastifyReply>;
}

export interface EdgeOptions {
  readonly verifier: JwtVerifier;
  readonly perIp: FixedWindowRateLimiter;
  readonly perUser: FixedWindowRateLimiter;
  readonly trustProxy: boolean;
  readonly logger: Logger;
}

/** Unknown query parameters are refused like unknown body fields. */
const NO_QUERY = z.strictObject({});
/**
 * The verified user id of a request, from `onRequest` to the handler: a request decoration (one shape for every request
 * object), not a WeakMap keyed by the request, whose entries cost the garbage collector extra work on every request
 * (libs/platform/src/telemetry/fastify-tracing.ts has the figures).
 */
const PRINCIPAL = Symbol('gateway.principal');

declare module 'fastify' {
  interface FastifyRequest {
    [PRINCIPAL]: string | null;
  }
}

class RateLimitedError extends DomainError {
  constructor(scope: 'client IP' | 'user', decision: RateLimitDecision) {
    super('RATE_LIMITED', 'rate_limited', `Rate limit of ${decision.limit} requests a minute per ${scope} exceeded; retry in ${decision.retryAfterSeconds} s`, {
      retryAfterSeconds: decision.retryAfterSeconds,
    });
  }
}

export const openApiSchema = (schema: z.ZodType): Record<string, unknown> => {
  const json = z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete json.$schema;
  return json;
};

/** Registers routes on the Fastify instance with the gateway's edge treatment. */
export class GatewayRoutes {
  constructor(
    private readonly fastify: FastifyInstance,
    private readonly edge: EdgeOptions,
  ) {
    fastify.decorateRequest(PRINCIPAL, null);
  }

  add<A extends Access, P = undefined, Q = Record<string, never>, H = undefined, B = undefined>(definition: RouteDefinition<A, P, Q, H, B>): void {
    const { edge } = this;
    const query = definition.query ?? NO_QUERY;
    this.fastify.route({
      method: definition.method,
      url: definition.url,
      schema: this.docs(definition, query),
      // Validation is the zod schemas' job (below); the JSON schemas above only describe the route.
      validatorCompiler: () => (value) => ({ value }),
      serializerCompiler: () => (value) => JSON.stringify(value),
      errorHandler: (error, request, reply) => sendError(reply, request, error, edge.logger),
      onRequest: async (request, reply) => {
        try {
          const byIp = edge.perIp.hit(clientIp(request.socket.remoteAddress, request.headers['x-forwarded-for'], edge.trustProxy));
          if (!byIp.allowed) throw new RateLimitedError('client IP', byIp);
          const authorization = request.headers.authorization;
          if (definition.access === 'private' || (definition.access === 'optional' && authorization !== undefined)) {
            const { userId } = await edge.verifier.verifyAuthorization(authorization);
            const byUser = edge.perUser.hit(userId);
            if (!byUser.allowed) throw new RateLimitedError('user', byUser);
            request[PRINCIPAL] = userId;
          }
        } catch (error) {
          return sendError(reply, request, error, edge.logger);
        }
      },
      handler: async (request, reply) => {
        try {
          const input = {
            params: definition.params ? parseOrThrow(definition.params, request.params, 'path') : (undefined as P),
            query: parseOrThrow(query, request.query ?? {}, 'query') as Q,
            headers: definition.headers ? parseOrThrow(definition.headers, pickHeaders(request, definition.headers.shape), 'headers') : (undefined as H),
            body: definition.body ? parseOrThrow(definition.body, request.body, 'body') : (undefined as B),
            userId: (request[PRINCIPAL] ?? undefined) as UserIdOf<A>,
            requestId: request.id,
          };
          return await definition.handle(input, reply);
        } catch (error) {
          return sendError(reply, request, error, edge.logger);
        }
      },
    });
  }

  private docs<A extends Access, P, Q, H, B>(definition: RouteDefinition<A, P, Q, H, B>, query: z.ZodType): Record<string, unknown> {
    const response: Record<string, unknown> = {};
    for (const [status, doc] of Object.entries(definition.responses)) {
      response[status] = doc.schema ? { ...openApiSchema(doc.schema), description: doc.description } : { description: doc.description, type: 'null' };
    }
    return {
      summary: definition.summary,
      tags: [definition.tag],
      ...(definition.access === 'public' ? {} : { security: [{ bearerAuth: [] }] }),
      ...(definition.params ? { params: openApiSchema(definition.params) } : {}),
      ...(query === NO_QUERY ? {} : { querystring: openApiSchema(query) }),
      ...(definition.headers ? { headers: openApiSchema(definition.headers) } : {}),
      ...(definition.body ? { body: openApiSchema(definition.body) } : {}),
      response,
    };
  }
}

function pickHeaders(request: FastifyRequest, shape: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const name of Object.keys(shape)) {
    const value = request.headers[name];
    if (value !== undefined) picked[name] = value;
  }
  return picked;
}

/** Answers with what the upstream answered: a success as is, a client error passed through in the public shape. */
export function sendUpstream(reply: FastifyReply, dependency: string, response: UpstreamResponse): FastifyReply {
  if (response.status < 400) {
    return reply
      .code(response.status)
      .header('content-type', response.contentType ?? 'application/json; charset=utf-8')
      .send(response.body);
  }
  const error = clientErrorBody(dependency, response.status, response.body);
  if (error.passthrough) return reply.code(response.status).header('content-type', 'application/json; charset=utf-8').send(error.raw);
  return reply.code(response.status).send(error.body);
}

export function sendJson(reply: FastifyReply, status: number, value: unknown): FastifyReply {
  return reply.code(status).header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(value));
}
