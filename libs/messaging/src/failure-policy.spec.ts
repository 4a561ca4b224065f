import { DependencyTimeoutError, DependencyUnavailableError, DomainError } from '@shop/platform';
import { afterFailure, type FailureState } from './failure-policy';

const policy = { maxAttempts: 3, unavailableBudgetMs: 60_000 };
const fresh: FailureState = { attempts: 0, unavailableSince: undefined };
const T = 1_000_000;

describe('afterFailure', () => {
  it.each([
    ['a bug or bad data, first time', new Error('boom'), fresh, { attempts: 1, unavailableSince: undefined, deadLetter: false }],
    ['a bug or bad data, the last attempt', new Error('boom'), { attempts: 2, unavailableSince: undefined }, { attempts: 3, unavailableSince: undefined, deadLetter: true }],
    ['a message that breaks its contract', new DomainError('REQUEST.INVALID', 'invalid', 'no'), fresh, { attempts: 1, unavailableSince: undefined, deadLetter: true }],
    ['a dependency down, first time', new DependencyUnavailableError('payment', 'breaker open'), fresh, { attempts: 0, unavailableSince: T, deadLetter: false }],
    ['a dependency too slow, past maxAttempts', new DependencyTimeoutError('payment', 500), { attempts: 2, unavailableSince: T - 10_000 }, { attempts: 2, unavailableSince: T - 10_000, deadLetter: false }],
    ['the database unreachable', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }), fresh, { attempts: 0, unavailableSince: T, deadLetter: false }],
    ['a dependency down for the whole budget', new DependencyUnavailableError('database', 'x'), { attempts: 0, unavailableSince: T - 60_000 }, { attempts: 0, unavailableSince: T - 60_000, deadLetter: true }],
    ['a bug after an outage: the outage clock stops', new Error('boom'), { attempts: 0, unavailableSince: T - 5_000 }, { attempts: 1, unavailableSince: undefined, deadLetter: false }],
    ['a conflict is no outage', new DomainError('ORDER.CONFLICT', 'conflict', 'no'), { attempts: 2, unavailableSince: undefined }, { attempts: 3, unavailableSince: undefined, deadLetter: true }],
  ])('%s', (_name, error, before, expected) => {
    expect(afterFailure(error, before, policy, T)).toEqual(expected);
  });
});
