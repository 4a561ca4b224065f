import { DomainError } from '@shop/platform/errors';
import { ConcurrencyError } from '../ports/event-store.port';
import { retryOnConcurrency } from './retry-on-concurrency';

const policy = { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 2 };
const conflict = (): ConcurrencyError => new ConcurrencyError('wallet-1', 3, 'duplicate version');

describe('retryOnConcurrency', () => {
  it('runs the command again after a lost race and returns its result', async () => {
    let calls = 0;
    const result = await retryOnConcurrency(async () => {
      calls++;
      if (calls < 3) throw conflict();
      return 'done';
    }, policy);
    expect(result).toBe('done');
    expect(calls).toBe(3);
  });

  it('gives up after the attempt cap with a retryable unavailable error', async () => {
    let calls = 0;
    const failure = retryOnConcurrency(async () => {
      calls++;
      throw conflict();
    }, policy);
    await expect(failure).rejects.toMatchObject({ code: 'WALLET.CONTENDED', category: 'unavailable' });
    expect(calls).toBe(4);
  });

  it('does not retry any other error', async () => {
    let calls = 0;
    const refused = new DomainError('PAYMENT.NOT_CHARGED', 'unprocessable', 'never charged');
    await expect(
      retryOnConcurrency(async () => {
        calls++;
        throw refused;
      }, policy),
    ).rejects.toBe(refused);
    expect(calls).toBe(1);
  });

  it('waits a random share of a cap that doubles per attempt and stops growing at the maximum', async () => {
    const seen: number[] = [];
    let calls = 0;
    const started = Date.now();
    await retryOnConcurrency(
      async () => {
        calls++;
        if (calls < 4) throw conflict();
      },
      { maxAttempts: 5, baseDelayMs: 10, maxDelayMs: 25 },
      () => {
        seen.push(calls);
        return 0.99;
      },
    );
    expect(seen).toEqual([1, 2, 3]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(9 + 19 + 24 - 5);
  });
});
