import { DependencyTimeoutError, DependencyUnavailableError, DomainError, GrpcStatus } from '@shop/platform/errors';
import { register } from 'prom-client';
import { DependencyPolicy } from './dependency-policy';

const unavailable = (): DomainError =>
  new DomainError('DEPENDENCY.UNAVAILABLE', 'unavailable', 'connection refused', { grpcCode: GrpcStatus.UNAVAILABLE });

describe('DependencyPolicy', () => {
  const options = { timeoutMs: 50, maxAttempts: 3, breakerThreshold: 3, halfOpenAfterMs: 100, retryDelayMs: 1 };

  it('retries a retryable failure up to the attempt cap, then gives up', async () => {
    const policy = new DependencyPolicy({ name: 'retry-cap', ...options, breakerThreshold: 100 });
    let calls = 0;
    await expect(policy.execute(async () => { calls++; throw unavailable(); })).rejects.toThrow('connection refused');
    expect(calls).toBe(3);
  });

  it('does not retry a business error and does not count it against the breaker', async () => {
    const policy = new DependencyPolicy({ name: 'business', ...options, breakerThreshold: 1 });
    let calls = 0;
    const notFound = new DomainError('ORDER.NOT_FOUND', 'not_found', 'no such order');
    await expect(policy.execute(async () => { calls++; throw notFound; })).rejects.toBe(notFound);
    expect(calls).toBe(1);
    expect(policy.state).toBe('closed');
  });

  it('neither retries RESOURCE_EXHAUSTED (a reply too large, a server shedding load) nor counts it against the breaker', async () => {
    const policy = new DependencyPolicy({ name: 'exhausted', ...options, breakerThreshold: 1 });
    let calls = 0;
    const tooLarge = new DomainError('DEPENDENCY.UNAVAILABLE', 'unavailable', 'Received message larger than max (5000000 vs 4194304)', {
      grpcCode: GrpcStatus.RESOURCE_EXHAUSTED,
    });
    await expect(policy.execute(async () => { calls++; throw tooLarge; })).rejects.toBe(tooLarge);
    expect(calls).toBe(1);
    expect(policy.state).toBe('closed');
  });

  it('turns an attempt past its deadline into a typed timeout', async () => {
    const policy = new DependencyPolicy({ name: 'slow', ...options, maxAttempts: 1 });
    await expect(policy.execute(() => new Promise((resolve) => setTimeout(resolve, 500)))).rejects.toBeInstanceOf(DependencyTimeoutError);
  });

  it('opens after consecutive failures, fails fast while open, half-opens and closes on a good probe', async () => {
    const policy = new DependencyPolicy({ name: 'flaky', ...options, maxAttempts: 1 });
    for (let i = 0; i < 3; i++) await expect(policy.execute(async () => { throw unavailable(); })).rejects.toThrow();
    expect(policy.state).toBe('open');

    let reached = false;
    const started = Date.now();
    await expect(policy.execute(async () => { reached = true; })).rejects.toBeInstanceOf(DependencyUnavailableError);
    expect(reached).toBe(false);
    expect(Date.now() - started).toBeLessThan(50);

    await new Promise((resolve) => setTimeout(resolve, 120));
    await expect(policy.execute(async () => 'ok')).resolves.toBe('ok');
    expect(policy.state).toBe('closed');
  });

  it('fails fast while half-open: only the probe reaches the dependency, the others do not wait for its answer', async () => {
    const policy = new DependencyPolicy({ name: 'probing', ...options, timeoutMs: 1_000, maxAttempts: 1, breakerThreshold: 1, halfOpenAfterMs: 50 });
    await expect(policy.execute(async () => { throw unavailable(); })).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 70));

    let answerProbe: (value: string) => void = () => undefined;
    const probe = policy.execute(() => new Promise<string>((resolve) => { answerProbe = resolve; })).catch((error: unknown) => error);
    expect(policy.state).toBe('half-open');
    let reached = false;
    const started = Date.now();
    const other = await policy.execute(async () => { reached = true; return 'other'; }).catch((error: unknown) => error);
    expect(Date.now() - started).toBeLessThan(50);
    expect(other).toBeInstanceOf(DependencyUnavailableError);
    expect(other).toMatchObject({ message: 'probing is unavailable: circuit breaker is half-open' });
    expect(reached).toBe(false);

    answerProbe('probe');
    await expect(probe).resolves.toBe('probe');
    expect(policy.state).toBe('closed');
    await expect(policy.execute(async () => 'next')).resolves.toBe('next');
  });

  it('records the duration of each call by outcome, rejected calls included', async () => {
    const policy = new DependencyPolicy({ name: 'measured', ...options, maxAttempts: 1, breakerThreshold: 1 });
    await policy.execute(async () => 'ok');
    await expect(policy.execute(async () => { throw unavailable(); })).rejects.toThrow();
    await expect(policy.execute(async () => 'never')).rejects.toBeInstanceOf(DependencyUnavailableError);
    const metric = register.getSingleMetric('shop_dependency_call_duration_seconds');
    const counts = (await metric!.get()).values
      .filter((value) => 'metricName' in value && value.metricName === 'shop_dependency_call_duration_seconds_count' && value.labels.dependency === 'measured')
      .map((value) => [value.labels.outcome, value.value]);
    expect(Object.fromEntries(counts)).toEqual({ ok: 1, failed: 1, rejected: 1 });
  });

  it('refuses an unbounded number of attempts', () => {
    expect(() => new DependencyPolicy({ name: 'x', ...options, maxAttempts: 50 })).toThrow('maxAttempts');
  });
});
