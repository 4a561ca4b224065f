import { DependencyUnavailableError } from '@shop/platform';
import { isRetryable } from '@shop/resilience';

/**
 * Circuit breaker pattern (docs/patterns/03-circuit-breaker.md): one retry, for idempotent reads only, when
 * the failure says the call never reached a healthy upstream (refused connection, UNAVAILABLE, 503). Writes
 * are never retried by the gateway. An open breaker is not retried: it answers fast on purpose. Each attempt
 * runs under the upstream's DependencyPolicy (deadline + breaker), so a retry is counted by the breaker too.
 */
const RETRY_DELAY_MS = 20;

export function shouldRetryRead(error: unknown): boolean {
  return isRetryable(error) && !(error instanceof DependencyUnavailableError);
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
