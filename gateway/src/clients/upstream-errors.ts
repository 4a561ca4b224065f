import { STATUS_CODES } from 'node:http';
import { categoryOfHttpStatus, DomainError, ERROR_TABLE, type ErrorBody, type ErrorCategory } from '@shop/platform';

/**
 * API gateway pattern (docs/patterns/01-api-gateway.md): what an upstream answered becomes what the client
 * gets through the one error table of @shop/platform: a client error (4xx) is passed through with its status
 * and body, a server error (5xx) becomes a dependency failure (503, or 504 for a gateway timeout), so the
 * public API never answers a bare 500.
 */

/** Category of an upstream 5xx: an upstream's internal error is, to our client, a dependency that cannot serve. */
export function upstreamFailureCategory(status: number): ErrorCategory {
  const category = categoryOfHttpStatus(status);
  return category === 'internal' ? 'unavailable' : category;
}

/** An upstream answered 5xx: counted by its breaker; an idempotent read is retried on a 503 only (read-retry.ts). */
export class UpstreamServerError extends DomainError {
  constructor(
    readonly dependency: string,
    readonly upstreamStatus: number,
  ) {
    super(`DEPENDENCY.HTTP_${upstreamStatus}`, upstreamFailureCategory(upstreamStatus), `${dependency} failed (HTTP ${upstreamStatus})`, {
      dependency,
      upstreamStatus,
    });
    this.name = 'UpstreamServerError';
  }
}

/** The connection to an upstream failed (refused, reset, DNS): the request most likely never reached it. */
export class UpstreamUnreachableError extends DomainError {
  constructor(
    readonly dependency: string,
    reason: string,
  ) {
    super('DEPENDENCY.UNREACHABLE', 'unavailable', `${dependency} is unavailable: ${reason}`, { dependency });
    this.name = 'UpstreamUnreachableError';
  }
}

function isErrorBody(value: unknown): value is ErrorBody {
  if (typeof value !== 'object' || value === null) return false;
  const body = value as Record<string, unknown>;
  return typeof body.statusCode === 'number' && typeof body.error === 'string' && typeof body.message === 'string';
}

/** The reason phrase for a status: the error table's where it has the status, else the standard one. */
export function httpErrorName(status: number): string {
  const mapping = ERROR_TABLE[categoryOfHttpStatus(status)];
  return mapping.http === status ? mapping.httpError : (STATUS_CODES[status] ?? 'Error');
}

/**
 * The body to send for an upstream client error: the upstream's own body when it has the public shape
 * `{statusCode, error, message}` (extra fields kept), else that shape built from the status.
 */
export function clientErrorBody(dependency: string, status: number, raw: Buffer | string): { passthrough: true; raw: Buffer | string } | { passthrough: false; body: ErrorBody } {
  try {
    if (isErrorBody(JSON.parse(raw.toString()))) return { passthrough: true, raw };
  } catch {
    // not JSON: build the public shape below
  }
  return { passthrough: false, body: { statusCode: status, error: httpErrorName(status), message: `${dependency} rejected the request` } };
}
