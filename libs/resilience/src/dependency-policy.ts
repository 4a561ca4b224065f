/**
 * Circuit breaker pattern (docs/patterns/03-circuit-breaker.md): every call to a downstream dependency goes
 * through one policy per dependency — a per-attempt timeout, a bounded retry on retryable failures only,
 * and a breaker that fails fast while the dependency is down or one probe call tests it — so a slow or dead
 * dependency costs callers milliseconds instead of piling up waiting requests.
 */
import {
  BrokenCircuitError,
  circuitBreaker,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleWhen,
  IsolatedCircuitError,
  retry,
  TaskCancelledError,
  timeout,
  TimeoutStrategy,
  type CircuitBreakerPolicy,
  type RetryPolicy,
  type TimeoutPolicy,
} from 'cockatiel';
import { Gauge, Histogram } from 'prom-client';
import { DependencyTimeoutError, DependencyUnavailableError, DomainError, GrpcStatus, isRetryableGrpcStatus } from '@shop/platform/errors';

export type BreakerState = 'closed' | 'open' | 'half-open' | 'isolated';

export interface DependencyPolicyOptions {
  /** Dependency name as it appears in errors, health and metrics, e.g. `payment`. */
  readonly name: string;
  /** Deadline of one attempt; the AbortSignal passed to the call fires when it passes. */
  readonly timeoutMs: number;
  /** Attempts in all, the first included. Capped: never unlimited. */
  readonly maxAttempts: number;
  /** Consecutive dependency failures that open the breaker. */
  readonly breakerThreshold: number;
  /** How long the breaker stays open before letting one probe call through (half-open); the others still fail fast. */
  readonly halfOpenAfterMs: number;
  /** First retry delay; doubles per attempt, with jitter. */
  readonly retryDelayMs?: number;
}

const breakerStateGauge = new Gauge({
  name: 'shop_breaker_state',
  help: 'Circuit breaker state per dependency: 0 closed, 1 half-open, 2 open, 3 isolated',
  labelNames: ['dependency'],
});

const callDuration = new Histogram({
  name: 'shop_dependency_call_duration_seconds',
  help: 'Calls to a downstream dependency through its policy (retries included), by outcome: ok, failed, timeout, or rejected by the open breaker without an attempt',
  labelNames: ['dependency', 'outcome'],
  buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
});

export type CallOutcome = 'ok' | 'failed' | 'timeout' | 'rejected';

const STATE_NAMES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};
const STATE_VALUES: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2, isolated: 3 };

/**
 * A failure that says the dependency itself is in trouble (not that our request was wrong). RESOURCE_EXHAUSTED is not
 * one: it is this call's own reply too large for the client ("Received message larger than max"), or the server
 * shedding load or a quota, and counting it would let one user's oversized request open the breaker for everyone.
 */
export function isDependencyFailure(error: unknown): boolean {
  if (error instanceof TaskCancelledError || error instanceof DependencyTimeoutError) return true;
  if (error instanceof DomainError && error.details?.grpcCode === GrpcStatus.RESOURCE_EXHAUSTED) return false;
  if (error instanceof DomainError) return error.category === 'unavailable' || error.category === 'timeout' || error.category === 'internal';
  return true;
}

/** Worth another attempt: the call most likely never reached a healthy server. Only for idempotent calls. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof TaskCancelledError) return true;
  const grpcCode = error instanceof DomainError ? error.details?.grpcCode : undefined;
  if (typeof grpcCode === 'number') return isRetryableGrpcStatus(grpcCode);
  return error instanceof DomainError ? error.category === 'unavailable' : false;
}

/**
 * Refused without an attempt because the breaker is half-open and its one probe call is still running. cockatiel's
 * half-open breaker makes every other caller await the probe's outcome and then make its own call (up to two
 * timeouts); here they fail fast instead, as while open, and the probe alone decides.
 */
class ProbeInFlightError extends BrokenCircuitError {}

export class DependencyPolicy {
  private readonly retryPolicy: RetryPolicy;
  private readonly breaker: CircuitBreakerPolicy;
  private readonly timeoutPolicy: TimeoutPolicy;

  constructor(readonly options: DependencyPolicyOptions) {
    if (options.maxAttempts < 1 || options.maxAttempts > 5) throw new Error(`${options.name}: maxAttempts must be 1..5`);
    this.breaker = circuitBreaker(handleWhen(isDependencyFailure), {
      halfOpenAfter: options.halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(options.breakerThreshold),
    });
    this.retryPolicy = retry(handleWhen(isRetryable), {
      maxAttempts: options.maxAttempts - 1,
      backoff: new ExponentialBackoff({ initialDelay: options.retryDelayMs ?? 50, maxDelay: 1_000 }),
    });
    // abortOnReturn off: a call that answered in time needs no abort signal fired after it (it costs CPU on every call).
    this.timeoutPolicy = timeout(options.timeoutMs, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false });
    breakerStateGauge.set({ dependency: options.name }, 0);
    this.breaker.onStateChange((state) => breakerStateGauge.set({ dependency: options.name }, STATE_VALUES[STATE_NAMES[state]]));
  }

  get name(): string {
    return this.options.name;
  }

  get state(): BreakerState {
    return STATE_NAMES[this.breaker.state];
  }

  /**
   * Runs `call` under the policy: retry(breaker(timeout(call))). `call` must honour the signal (pass it to the gRPC or
   * HTTP client). An open breaker, a half-open one whose probe is running, or an exhausted deadline surfaces as
   * DependencyUnavailableError / DependencyTimeoutError.
   */
  async execute<T>(call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const stopTimer = callDuration.startTimer({ dependency: this.options.name });
    let attempts = 0;
    try {
      const result = await this.retryPolicy.execute(({ signal }) => {
        // Synchronous up to the breaker's own state check, so no other call can slip in between the two.
        if (this.breaker.state === CircuitState.HalfOpen) throw new ProbeInFlightError();
        return this.breaker.execute(
          ({ signal }) =>
            this.timeoutPolicy.execute(({ signal }) => {
              attempts++;
              return call(signal);
            }, signal),
          signal,
        );
      });
      stopTimer({ outcome: 'ok' });
      return result;
    } catch (error) {
      if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) {
        // Rejected without trying: the open (or half-open) breaker's fail-fast. Attempts made first (the breaker opened
        // while this call was retrying) make it a failed call.
        stopTimer({ outcome: attempts === 0 ? 'rejected' : 'failed' });
        throw new DependencyUnavailableError(this.options.name, error instanceof ProbeInFlightError ? 'circuit breaker is half-open' : 'circuit breaker is open');
      }
      if (error instanceof TaskCancelledError) {
        stopTimer({ outcome: 'timeout' });
        throw new DependencyTimeoutError(this.options.name, this.options.timeoutMs);
      }
      stopTimer({ outcome: 'failed' });
      throw error;
    }
  }
}
