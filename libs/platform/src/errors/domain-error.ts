/**
 * Errors carry a stable code (`ORDER.NOT_FOUND`) and a category. The category alone decides the
 * HTTP and gRPC status, through the one table in error-table.ts. Framework-free on purpose: every
 * `domain/` folder may import `@shop/platform/errors` and nothing else from the platform.
 */
export type ErrorCategory =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'unprocessable'
  | 'payload_too_large'
  | 'rate_limited'
  | 'unavailable'
  | 'timeout'
  | 'internal';

export class DomainError extends Error {
  constructor(
    readonly code: string,
    readonly category: ErrorCategory,
    message: string,
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** A downstream dependency cannot be used right now (breaker open, connection refused, overload). */
export class DependencyUnavailableError extends DomainError {
  constructor(readonly dependency: string, reason: string) {
    super('DEPENDENCY.UNAVAILABLE', 'unavailable', `${dependency} is unavailable: ${reason}`, { dependency });
    this.name = 'DependencyUnavailableError';
  }
}

/** A downstream call did not answer before its deadline. */
export class DependencyTimeoutError extends DomainError {
  constructor(readonly dependency: string, timeoutMs: number) {
    super('DEPENDENCY.TIMEOUT', 'timeout', `${dependency} did not answer within ${timeoutMs} ms`, { dependency });
    this.name = 'DependencyTimeoutError';
  }
}
