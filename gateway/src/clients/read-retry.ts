import { ExponentialBackoff, handleWhen, retry } from 'cockatiel';
import { DependencyUnavailableError } from '@shop/platform';
import { isRetryable } from '@shop/resilience';

/**
 * Circuit breaker pattern (docs/patterns/03-circuit-breaker.md): one retry, for idempotent reads only, when
 * the failure says the call never reached a healthy upstream (refused connection, UNAVAILABLE, 503). Writes
 * are never retried by the gateway. An open breaker is not retried: it answers fast on purpose.
 */
const readRetry = retry(
  handleWhen((error) => isRetryable(error) && !(error instanceof DependencyUnavailableError)),
  { maxAttempts: 1, backoff: new ExponentialBackoff({ initialDelay: 20, maxDelay: 100 }) },
);

export function withReadRetry<T>(attempt: () => Promise<T>): Promise<T> {
  return readRetry.execute(attempt);
}
