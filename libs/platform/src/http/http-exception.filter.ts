import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DependencyTimeoutError, DependencyUnavailableError, DomainError, type ErrorCategory } from '../errors/domain-error';
import { ERROR_TABLE } from '../errors/error-table';
import { databaseUnavailable } from '../errors/transient';
import { type Logger } from '../logging/logger';

export interface ErrorBody {
  readonly statusCode: number;
  readonly error: string;
  readonly message: string;
  readonly code?: string;
}

/** Categories whose message may carry what a dependency, a client library or a driver said. */
const GENERIC_MESSAGE_CATEGORIES: ReadonlySet<ErrorCategory> = new Set(['unavailable', 'timeout', 'internal']);

/**
 * What a client may read of an error. A failure of a dependency (unavailable, timeout, internal) is told by naming the
 * dependency only, e.g. `payment is unavailable`: its own message can carry what grpc-js, undici or a driver said
 * (`connect ECONNREFUSED 10.0.3.7:50054`, host names, SQL), which stays in the log. DependencyUnavailableError and
 * DependencyTimeoutError keep their message: our own code builds it from the dependency's name and a fixed reason
 * (`circuit breaker is open`, `try again shortly`, the deadline in ms), never from a caught error's text.
 */
export function publicMessage(error: DomainError): string {
  if (!GENERIC_MESSAGE_CATEGORIES.has(error.category)) return error.message;
  if (error instanceof DependencyUnavailableError || error instanceof DependencyTimeoutError) return error.message;
  const dependency = typeof error.details?.dependency === 'string' ? error.details.dependency : undefined;
  if (error.category === 'unavailable') return dependency ? `${dependency} is unavailable` : 'Service unavailable: try again shortly';
  if (error.category === 'timeout') return dependency ? `${dependency} did not answer in time` : 'The request timed out';
  return dependency ? `${dependency} failed` : 'Internal server error';
}

/**
 * Turns any error into the public error shape `{ statusCode, error, message }` through the error table. A database
 * that cannot be used right now (connection lost or refused, pool exhausted, deadlock) is a 503, not a 500: the
 * request was fine and may be sent again. The message of a dependency failure names the dependency, nothing more
 * (publicMessage); the full error goes to the log.
 */
export function toErrorBody(error: unknown): ErrorBody {
  const domainError = error instanceof DomainError ? error : databaseUnavailable(error);
  if (domainError !== undefined) {
    const mapping = ERROR_TABLE[domainError.category];
    return { statusCode: mapping.http, error: mapping.httpError, message: publicMessage(domainError), code: domainError.code };
  }
  if (error instanceof HttpException) {
    const response = error.getResponse();
    const message =
      typeof response === 'string'
        ? response
        : String((response as { message?: unknown }).message ?? error.message);
    return { statusCode: error.getStatus(), error: error.name.replace(/Exception$/, ''), message };
  }
  const statusCode = (error as { statusCode?: unknown }).statusCode;
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    // Fastify's own client errors: malformed JSON, body too large, wrong content type.
    return { statusCode, error: httpErrorName(statusCode), message: (error as Error).message };
  }
  return { statusCode: 500, error: 'Internal Server Error', message: 'Internal server error' };
}

function httpErrorName(statusCode: number): string {
  return Object.values(ERROR_TABLE).find((mapping) => mapping.http === statusCode)?.httpError ?? 'Bad Request';
}

@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(error: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return;
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const body = toErrorBody(error);
    if (body.statusCode >= 500) {
      this.logger.error({ err: error, reqId: request.id, url: request.url }, 'request failed');
    }
    if (body.statusCode === 429 && error instanceof DomainError && typeof error.details?.retryAfterSeconds === 'number') {
      void reply.header('Retry-After', String(error.details.retryAfterSeconds));
    }
    void reply.status(body.statusCode).send(body);
  }
}
