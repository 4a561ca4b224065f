import { Email } from './email';
import { User, UserName } from './user';

describe('UserName', () => {
  it('trims the name', () => {
    expect(UserName.create('  Alice Demo  ').value).toBe('Alice Demo');
  });

  it('accepts 100 characters and rejects 101', () => {
    expect(UserName.create('n'.repeat(100)).value).toHaveLength(100);
    expect(() => UserName.create('n'.repeat(101))).toThrow(expect.objectContaining({ code: 'USER.INVALID_NAME' }));
  });

  it('rejects a name that is blank once trimmed', () => {
    expect(() => UserName.create('   ')).toThrow(expect.objectContaining({ code: 'USER.INVALID_NAME', category: 'invalid' }));
  });
});

describe('User', () => {
  it('shows a profile without the password hash', () => {
    const createdAt = new Date('2026-11-27T10:00:00.000Z');
    const user = User.register({
      id: 'a11ce000-0000-4000-8000-000000000001',
      email: Email.parse('alice@example.com'),
      name: UserName.create('Alice Demo'),
      passwordHash: '$argon2id$secret',
      createdAt,
    });
    expect(user.profile()).toEqual({ id: 'a11ce000-0000-4000-8000-000000000001', email: 'alice@example.com', name: 'Alice Demo', createdAt });
    expect(JSON.stringify(user.profile())).not.toContain('argon2');
  });
});
