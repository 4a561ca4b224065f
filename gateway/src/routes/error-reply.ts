import { type FastifyReply, type FastifyRequest } from 'fastify';
import { DomainError, type Logger, toErrorBody } from '@shop/platform';
import { httpErrorName } from '../clients/upstream-errors';

/**
 * The one place where the gateway's routes turn an error into the public shape `{statusCode, error, message}`,
 * through the platform's error table (toErrorBody). A failed dependency is a 503 or 504, never a bare 500, and its
 * message names the dependency only (`payment is unavailable`); what the dependency or the client library said
 * (addresses, ports) is logged by sendError, never sent.
 */
export function errorReply(error: unknown): { statusCode: number; body: ReturnType<typeof toErrorBody>; retryAfterSeconds?: number } {
  let mapped = error;
  if (error instanceof DomainError && error.category === 'internal' && typeof error.details?.dependency === 'string') {
    // An upstream that answered gRPC INTERNAL/UNKNOWN is, to our client, a dependency that cannot serve.
    mapped = new DomainError(error.code, 'unavailable', error.message, error.details);
  }
  const body = toErrorBody(mapped);
  const fixed = { ...body, error: httpErrorName(body.statusCode) };
  const retryAfter = error instanceof DomainError ? error.details?.retryAfterSeconds : undefined;
  return { statusCode: body.statusCode, body: fixed, retryAfterSeconds: typeof retryAfter === 'number' ? retryAfter : undefined };
}

export function sendError(reply: FastifyReply, request: FastifyRequest, error: unknown, logger: Logger): FastifyReply {
  const { statusCode, body, retryAfterSeconds } = errorReply(error);
  if (statusCode >= 500) {
    // Never the request's headers (they may carry the bearer token). A dependency failure is expected
    // operation and is logged by its code and full message; anything else is a defect and is logged with its stack.
    const detail = error instanceof DomainError ? { code: error.code, reason: error.message } : { err: error };
    logger.warn({ reqId: request.id, method: request.method, url: request.url, status: statusCode, ...detail }, 'request failed');
  }
  if (retryAfterSeconds !== undefined) void reply.header('retry-after', String(retryAfterSeconds));
  return reply.code(statusCode).send(body);
}
