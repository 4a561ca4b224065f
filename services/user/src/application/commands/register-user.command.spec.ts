import { type PlainPassword } from '../../domain/password';
import { type User } from '../../domain/user';
import { EmailTakenError } from '../../domain/user.errors';
import { type PasswordHasher } from '../ports/password-hasher.port';
import { type UnitOfWork, type UserTransaction } from '../ports/unit-of-work.port';
import { type RegisteredAccount } from '../ports/user-events.port';
import { RegisterUserHandler } from './register-user.command';

/** In-memory unit of work: the unique rule on the email, and writes (users and events) kept only when the work succeeds. */
class InMemoryUnitOfWork implements UnitOfWork {
  readonly users = new Map<string, User>();
  readonly registeredEvents: RegisteredAccount[] = [];
  transactions = 0;

  async run<T>(work: (tx: UserTransaction) => Promise<T>): Promise<T> {
    this.transactions++;
    const pending: User[] = [];
    const pendingEvents: RegisteredAccount[] = [];
    const result = await work({
      users: {
        insert: async (user) => {
          const taken = [...this.users.values(), ...pending].some((existing) => existing.email.value === user.email.value);
          if (taken) throw new EmailTakenError();
          pending.push(user);
        },
      },
      events: {
        registered: async (account) => {
          pendingEvents.push(account);
        },
      },
    });
    for (const user of pending) this.users.set(user.id, user);
    this.registeredEvents.push(...pendingEvents);
    return result;
  }
}

class FakeHasher implements PasswordHasher {
  readonly dummyHash = 'hash:dummy';
  async hash(password: PlainPassword): Promise<string> {
    return `hash:${password.value}`;
  }
  async verify(hash: string, password: string): Promise<boolean> {
    return hash === `hash:${password}`;
  }
}

describe('RegisterUserHandler', () => {
  const now = new Date('2026-11-27T12:00:00.000Z');
  let unitOfWork: InMemoryUnitOfWork;
  let handler: RegisterUserHandler;

  beforeEach(() => {
    unitOfWork = new InMemoryUnitOfWork();
    handler = new RegisterUserHandler(unitOfWork, new FakeHasher(), () => now);
  });

  it('registers a user with a canonical email, a trimmed name and a hashed password', async () => {
    const registered = await handler.execute({ email: '  Alice@Example.COM ', password: 'alice-password', name: '  Alice  ' });

    expect(registered).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), email: 'alice@example.com', name: 'Alice' });
    const stored = unitOfWork.users.get(registered.id);
    expect(stored?.passwordHash).toBe('hash:alice-password');
    expect(stored?.createdAt).toEqual(now);
  });

  it('records user.registered with id, email and name in the registration\'s transaction', async () => {
    const registered = await handler.execute({ email: 'Dave@Example.com', password: 'dave-password', name: ' Dave ' });

    expect(unitOfWork.transactions).toBe(1);
    expect(unitOfWork.registeredEvents).toEqual([{ id: registered.id, email: 'dave@example.com', name: 'Dave' }]);
  });

  it('writes the registration in exactly one transaction', async () => {
    await handler.execute({ email: 'bob@example.com', password: 'bob-password', name: 'Bob' });
    expect(unitOfWork.transactions).toBe(1);
  });

  it('refuses a second registration of the same email in another letter case with USER.EMAIL_TAKEN', async () => {
    await handler.execute({ email: 'carol@example.com', password: 'carol-password', name: 'Carol' });

    await expect(handler.execute({ email: 'CAROL@example.com', password: 'other-password', name: 'Carol 2' })).rejects.toThrow(
      expect.objectContaining({ code: 'USER.EMAIL_TAKEN', category: 'conflict' }),
    );
    expect(unitOfWork.users.size).toBe(1);
    expect(unitOfWork.registeredEvents).toHaveLength(1);
  });

  it.each([
    ['a malformed email', { email: 'carol', password: 'carol-password', name: 'Carol' }, 'USER.INVALID_EMAIL'],
    ['a short password', { email: 'carol@example.com', password: 'short', name: 'Carol' }, 'USER.INVALID_PASSWORD'],
    ['a blank name', { email: 'carol@example.com', password: 'carol-password', name: '  ' }, 'USER.INVALID_NAME'],
  ])('rejects %s and writes nothing', async (_case, command, code) => {
    await expect(handler.execute(command)).rejects.toThrow(expect.objectContaining({ code, category: 'invalid' }));
    expect(unitOfWork.transactions).toBe(0);
    expect(unitOfWork.users.size).toBe(0);
    expect(unitOfWork.registeredEvents).toHaveLength(0);
  });
});
