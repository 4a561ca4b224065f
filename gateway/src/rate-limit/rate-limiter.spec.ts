import { clientIp } from './client-ip';
import { FixedWindowRateLimiter } from './rate-limiter';

describe('FixedWindowRateLimiter', () => {
  let now = 0;
  const limiter = (limit: number): FixedWindowRateLimiter => new FixedWindowRateLimiter({ limit, windowMs: 60_000, now: () => now });

  beforeEach(() => {
    now = 1_800_000_000_000; // a whole minute: the window starts here
  });

  it('allows up to the limit within one window and refuses the next request', () => {
    const limits = limiter(3);
    expect([1, 2, 3].map(() => limits.hit('ann').allowed)).toEqual([true, true, true]);
    expect(limits.hit('ann')).toMatchObject({ allowed: false, remaining: 0, limit: 3 });
  });

  it('counts each key on its own', () => {
    const limits = limiter(1);
    expect(limits.hit('ann').allowed).toBe(true);
    expect(limits.hit('bob').allowed).toBe(true);
    expect(limits.hit('ann').allowed).toBe(false);
  });

  it('says in whole seconds, rounded up, when the window ends', () => {
    const limits = limiter(1);
    limits.hit('ann');
    now += 45_500;
    expect(limits.hit('ann')).toMatchObject({ allowed: false, retryAfterSeconds: 15 });
    now += 14_000;
    expect(limits.hit('ann').retryAfterSeconds).toBe(1);
  });

  it('allows requests again when the next window starts', () => {
    const limits = limiter(2);
    limits.hit('ann');
    limits.hit('ann');
    expect(limits.hit('ann').allowed).toBe(false);
    now += 60_000;
    expect(limits.hit('ann')).toMatchObject({ allowed: true, remaining: 1 });
  });

  it('refuses a limit that is not a positive integer', () => {
    expect(() => limiter(0)).toThrow('limit must be a positive integer');
  });
});

describe('clientIp', () => {
  it('uses the TCP peer when no proxy is trusted, whatever X-Forwarded-For says', () => {
    expect(clientIp('10.0.0.9', '1.2.3.4', false)).toBe('10.0.0.9');
  });

  it('uses the address the nearest trusted proxy saw: the right-most X-Forwarded-For entry', () => {
    expect(clientIp('10.0.0.9', '6.6.6.6, 203.0.113.7', true)).toBe('203.0.113.7');
  });

  it('falls back to the TCP peer behind a trusted proxy that sent no X-Forwarded-For', () => {
    expect(clientIp('10.0.0.9', undefined, true)).toBe('10.0.0.9');
  });
});
