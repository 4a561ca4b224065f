import { DependencyTimeoutError, DependencyUnavailableError, DomainError, GrpcCallError, GrpcStatus } from '@shop/platform';
import { withReadRetry } from './read-retry';
import { UpstreamServerError, UpstreamUnreachableError } from './upstream-errors';

/** Runs `withReadRetry` over attempts that fail with the given errors in turn, then succeed. */
async function attemptsFor(...failures: Error[]): Promise<{ attempts: number; result: unknown }> {
  let attempts = 0;
  const result = await withReadRetry(async () => {
    const failure = failures[attempts++];
    if (failure) throw failure;
    return 'ok';
  }).catch((error: unknown) => error);
  return { attempts, result };
}

describe('withReadRetry', () => {
  it('retries a read once when the upstream could not be reached', async () => {
    await expect(attemptsFor(new UpstreamUnreachableError('inventory', 'ECONNREFUSED'))).resolves.toEqual({ attempts: 2, result: 'ok' });
  });

  it('retries a read once on gRPC UNAVAILABLE and on an upstream 503', async () => {
    await expect(attemptsFor(new GrpcCallError(GrpcStatus.UNAVAILABLE, 'payment', 'down'))).resolves.toMatchObject({ attempts: 2 });
    await expect(attemptsFor(new UpstreamServerError('order', 503))).resolves.toMatchObject({ attempts: 2 });
  });

  it('does not retry a read that the upstream answered with 500 or 502: it was reached, and failed', async () => {
    for (const status of [500, 502]) {
      const error = new UpstreamServerError('order', status);
      await expect(attemptsFor(error)).resolves.toEqual({ attempts: 1, result: error });
    }
  });

  it('gives up after the second attempt', async () => {
    const second = new UpstreamUnreachableError('inventory', 'ECONNRESET');
    await expect(attemptsFor(new UpstreamUnreachableError('inventory', 'ECONNREFUSED'), second)).resolves.toEqual({ attempts: 2, result: second });
  });

  it('does not retry when the breaker is open, the deadline passed or the request was wrong', async () => {
    for (const error of [
      new DependencyUnavailableError('order', 'circuit breaker is open'),
      new DependencyTimeoutError('order', 3000),
      new GrpcCallError(GrpcStatus.DEADLINE_EXCEEDED, 'payment', 'late'),
      new DomainError('REQUEST.INVALID', 'invalid', 'bad'),
    ]) {
      await expect(attemptsFor(error)).resolves.toEqual({ attempts: 1, result: error });
    }
  });
});
