import { Email } from '../../domain/email';
import { type PlainPassword } from '../../domain/password';
import { User, UserName } from '../../domain/user';
import { type PasswordHasher } from '../ports/password-hasher.port';
import { type IssuedToken, type TokenIssuer } from '../ports/token-issuer.port';
import { type UserRepository } from '../ports/user-repository.port';
import { LogInHandler } from './log-in.command';

class InMemoryUsers implements UserRepository {
  constructor(private readonly users: readonly User[]) {}
  async findById(id: string): Promise<User | undefined> {
    return this.users.find((user) => user.id === id);
  }
  async findByEmail(email: Email): Promise<User | undefined> {
    return this.users.find((user) => user.email.value === email.value);
  }
}

/** Records every hash it was asked to check, to show that each login checks exactly one. */
class RecordingHasher implements PasswordHasher {
  readonly dummyHash = 'hash:dummy';
  readonly checked: string[] = [];
  async hash(password: PlainPassword): Promise<string> {
    return `hash:${password.value}`;
  }
  async verify(hash: string, password: string): Promise<boolean> {
    this.checked.push(hash);
    return hash === `hash:${password}`;
  }
}

class FakeTokens implements TokenIssuer {
  async issue(subject: { readonly userId: string }): Promise<IssuedToken> {
    return { accessToken: `token-for-${subject.userId}`, expiresIn: 3600 };
  }
}

async function failureOf(attempt: Promise<unknown>): Promise<Error> {
  try {
    await attempt;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the login to fail');
}

describe('LogInHandler', () => {
  const alice = User.restore({
    id: 'a11ce000-0000-4000-8000-000000000001',
    email: Email.parse('alice@example.com'),
    name: UserName.create('Alice Demo'),
    passwordHash: 'hash:alice-password',
    createdAt: new Date('2026-11-27T12:00:00.000Z'),
  });
  let hasher: RecordingHasher;
  let handler: LogInHandler;

  beforeEach(() => {
    hasher = new RecordingHasher();
    handler = new LogInHandler(new InMemoryUsers([alice]), hasher, new FakeTokens());
  });

  it('issues a bearer token for the right password, whatever the case of the email', async () => {
    const session = await handler.execute({ email: ' ALICE@example.com', password: 'alice-password' });
    expect(session).toEqual({ accessToken: `token-for-${alice.id}`, tokenType: 'Bearer', expiresIn: 3600 });
  });

  it('rejects a wrong password with USER.INVALID_CREDENTIALS', async () => {
    await expect(handler.execute({ email: 'alice@example.com', password: 'wrong-password' })).rejects.toThrow(
      expect.objectContaining({ code: 'USER.INVALID_CREDENTIALS', category: 'unauthenticated' }),
    );
    expect(hasher.checked).toEqual(['hash:alice-password']);
  });

  it('rejects an unknown email with the same error, after checking the password against the dummy hash', async () => {
    const wrongPassword = await failureOf(handler.execute({ email: 'alice@example.com', password: 'wrong-password' }));
    const unknownEmail = await failureOf(handler.execute({ email: 'nobody@example.com', password: 'alice-password' }));

    expect(unknownEmail).toEqual(wrongPassword);
    expect(unknownEmail.message).toBe(wrongPassword.message);
    expect(hasher.checked).toEqual(['hash:alice-password', 'hash:dummy']);
  });

  it('treats a malformed email as unknown, still paying for one hash check', async () => {
    await expect(handler.execute({ email: 'not-an-email', password: 'alice-password' })).rejects.toThrow(
      expect.objectContaining({ code: 'USER.INVALID_CREDENTIALS' }),
    );
    expect(hasher.checked).toEqual(['hash:dummy']);
  });
});
