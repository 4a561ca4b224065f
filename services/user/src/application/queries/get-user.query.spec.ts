import { Email } from '../../domain/email';
import { User, UserName } from '../../domain/user';
import { type UserRepository } from '../ports/user-repository.port';
import { GetUserHandler } from './get-user.query';

class InMemoryUsers implements UserRepository {
  constructor(private readonly users: readonly User[]) {}
  async findById(id: string): Promise<User | undefined> {
    return this.users.find((user) => user.id === id);
  }
  async findByEmail(email: Email): Promise<User | undefined> {
    return this.users.find((user) => user.email.value === email.value);
  }
}

describe('GetUserHandler', () => {
  const createdAt = new Date('2026-11-27T12:00:00.000Z');
  const bob = User.restore({
    id: 'b0b00000-0000-4000-8000-000000000002',
    email: Email.parse('bob@example.com'),
    name: UserName.create('Bob Demo'),
    passwordHash: 'hash:bob-password',
    createdAt,
  });
  const handler = new GetUserHandler(new InMemoryUsers([bob]));

  it('returns the profile of a known user, without the password hash', async () => {
    await expect(handler.execute({ userId: bob.id })).resolves.toEqual({ id: bob.id, email: 'bob@example.com', name: 'Bob Demo', createdAt });
  });

  it('fails with USER.NOT_FOUND for an unknown id', async () => {
    await expect(handler.execute({ userId: '00000000-0000-4000-8000-000000000000' })).rejects.toThrow(
      expect.objectContaining({ code: 'USER.NOT_FOUND', category: 'not_found' }),
    );
  });
});
