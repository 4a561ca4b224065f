import { DependencyUnavailableError } from '@shop/platform';
import { isRetryable } from '@shop/resilience';
import { UpstreamServerError } from './upstream-errors';

/**
 * Circuit breaker pattern (docs/patterns/03-circuit-breaker.md): one retry, for idempotent reads only, when
 * the failure says the call never reached a healthy upstream (refused connection, UNAVAILABLE, 503). Writes
 * are never retried by the gateway. An open breaker is not retried: it answers fast on purpose. Each attempt
 * runs under the upstream's DependencyPolicy (deadline + breaker), so a retry is counted by the breaker too.
 */
const RETRY_DELAY_MS = 20;

export function shouldRetryRead(error: unknown): boolean {
  if (error instanceof DependencyUnavailableError) return false;
  // An upstream that answered 500 or 502 was reached and failed: the same request would most likely fail again.
  // Only a 503 says "not now"; all three still count against the breaker and reach the client as 503.
  if (error instanceof UpstreamServerError) return error.upstreamStatus === 503;
  return isRetryable(error);
}

export async function withReadRetry<T>(attempt: () => Promise<T>): Promise<T> {
  try {
    return await attempt();
  } catch (error) {
    if (!shouldRetryRead(error)) throw error;
    // Jitter spreads the retries of many requests that failed together.
    await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS + Math.random() * RETRY_DELAY_MS));
    return attempt();
  }
}
