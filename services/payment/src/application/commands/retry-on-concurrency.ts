import { DomainError } from '@shop/platform/errors';
import { ConcurrencyError } from '../ports/event-store.port';

export interface ConcurrencyRetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** Enough for dozens of writers racing on one wallet; each retry waits a random time below a growing cap. */
export const DEFAULT_CONCURRENCY_RETRY: ConcurrencyRetryPolicy = { maxAttempts: 40, baseDelayMs: 2, maxDelayMs: 100 };

/**
 * Runs a command (load, decide, append) and, when the append lost a race (ConcurrencyError), runs it again from
 * freshly loaded state after a jittered back-off. Bounded: past `maxAttempts` the caller gets a retryable
 * "unavailable" error; every command is idempotent, so retrying it later is safe.
 */
export async function retryOnConcurrency<T>(
  work: () => Promise<T>,
  policy: ConcurrencyRetryPolicy = DEFAULT_CONCURRENCY_RETRY,
  random: () => number = Math.random,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof ConcurrencyError)) throw error;
      if (attempt >= policy.maxAttempts) {
        throw new DomainError('WALLET.CONTENDED', 'unavailable', `Gave up after ${attempt} attempts on a busy wallet; retry later`, {
          streamId: error.streamId,
        });
      }
      const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * cap)));
    }
  }
}
