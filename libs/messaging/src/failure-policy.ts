/**
 * What a consumer does with a message whose handler failed: retry it, or park it on the dead-letter topic or queue.
 * One policy for both brokers (docs/patterns/05-publish-subscribe.md, 06-message-queue.md):
 * - A failure of the message itself (a bug, bad data) counts as an attempt; after `maxAttempts` the message is
 *   dead-lettered so the rest keep flowing. One that breaks its contract (a DomainError of category `invalid`, which
 *   is also what parseEnvelope throws for a message that is not an envelope) is dead-lettered at once.
 * - A failure that says a dependency is down (the database unreachable, a breaker open, a deadline passed; see
 *   `isTransientFailure`) does not count: every message behind it would fail the same way, so dead-lettering would
 *   only move the whole stream aside for a person to replay. It is retried until the dependency is back, bounded by
 *   `unavailableBudgetMs`, after which it is dead-lettered like any other.
 */
import { DomainError, isTransientFailure } from '@shop/platform';

export interface FailurePolicy {
  /** Failures of the message itself before it is dead-lettered. */
  readonly maxAttempts: number;
  /** How long failures on a dependency that is down are retried, from the first of them, before dead-lettering. */
  readonly unavailableBudgetMs: number;
}

/** Fifteen minutes: long enough for a database restart or fail-over, short enough to be noticed as consumer lag. */
export const DEFAULT_UNAVAILABLE_BUDGET_MS = 15 * 60_000;

/** Where a message stands after its handler failed: the attempts counted so far, and since when a dependency is down. */
export interface FailureState {
  readonly attempts: number;
  /** Epoch ms of the first failure on a dependency that was down, if the latest failure was one. */
  readonly unavailableSince: number | undefined;
}

export interface FailureOutcome extends FailureState {
  readonly deadLetter: boolean;
}

/** The state after one more failure, and whether the message must now be dead-lettered. */
export function afterFailure(error: unknown, before: FailureState, policy: FailurePolicy, now = Date.now()): FailureOutcome {
  if (error instanceof DomainError && error.category === 'invalid') {
    return { attempts: before.attempts + 1, unavailableSince: undefined, deadLetter: true };
  }
  if (isTransientFailure(error)) {
    const unavailableSince = before.unavailableSince ?? now;
    return { attempts: before.attempts, unavailableSince, deadLetter: now - unavailableSince >= policy.unavailableBudgetMs };
  }
  const attempts = before.attempts + 1;
  return { attempts, unavailableSince: undefined, deadLetter: attempts >= policy.maxAttempts };
}
