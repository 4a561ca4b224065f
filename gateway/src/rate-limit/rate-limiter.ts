/**
 * API gateway pattern (docs/patterns/01-api-gateway.md): rate limiting at the edge, per user and per client
 * IP, so one noisy client cannot take the capacity of everyone else. Counters live in this process's memory:
 * with N gateway replicas a client gets up to N times the limit (use a shared store to make it global).
 */

export interface RateLimitDecision {
  readonly allowed: boolean;
  readonly limit: number;
  readonly remaining: number;
  /** Whole seconds until the current window ends (the value of Retry-After when refused). */
  readonly retryAfterSeconds: number;
}

export interface RateLimiterOptions {
  /** Requests allowed per key and window. */
  readonly limit: number;
  readonly windowMs: number;
  readonly now?: () => number;
}

/**
 * Fixed windows aligned to the clock: the counters of a window are one Map, dropped as a whole when the
 * next window starts, so memory stays bounded by the keys seen in one window without any sweeping.
 * A client can send up to twice the limit across a window boundary; that burst is accepted for O(1) cost.
 */
export class FixedWindowRateLimiter {
  private windowIndex = -1;
  private counts = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly options: RateLimiterOptions) {
    if (!Number.isInteger(options.limit) || options.limit < 1) throw new Error('limit must be a positive integer');
    if (!Number.isInteger(options.windowMs) || options.windowMs < 1) throw new Error('windowMs must be a positive integer');
    this.now = options.now ?? Date.now;
  }

  get limit(): number {
    return this.options.limit;
  }

  /** Counts one request for `key` and says whether it is within the limit. */
  hit(key: string): RateLimitDecision {
    const now = this.now();
    const index = Math.floor(now / this.options.windowMs);
    if (index !== this.windowIndex) {
      this.windowIndex = index;
      this.counts = new Map();
    }
    const count = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, count);
    const windowEndsAt = (index + 1) * this.options.windowMs;
    return {
      allowed: count <= this.options.limit,
      limit: this.options.limit,
      remaining: Math.max(0, this.options.limit - count),
      retryAfterSeconds: Math.max(1, Math.ceil((windowEndsAt - now) / 1000)),
    };
  }
}
