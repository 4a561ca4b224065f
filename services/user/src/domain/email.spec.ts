import { Email } from './email';
import { InvalidUserInputError } from './user.errors';

describe('Email', () => {
  it('keeps an address in canonical form: trimmed and lower case', () => {
    expect(Email.parse('  Alice.Smith@Example.COM \n').value).toBe('alice.smith@example.com');
  });

  it.each([
    ['an empty string', ''],
    ['blanks only', '   '],
    ['no @', 'alice.example.com'],
    ['two @', 'alice@@example.com'],
    ['no dot in the domain', 'alice@localhost'],
    ['a space inside', 'alice smith@example.com'],
    ['a domain ending in a dot', 'alice@example.'],
  ])('rejects %s with USER.INVALID_EMAIL', (_case, raw) => {
    expect(() => Email.parse(raw)).toThrow(expect.objectContaining({ code: 'USER.INVALID_EMAIL', category: 'invalid' }));
    expect(() => Email.parse(raw)).toThrow(InvalidUserInputError);
  });

  it('accepts 254 characters and rejects 255', () => {
    const domain = '@example.com';
    expect(Email.parse('a'.repeat(254 - domain.length) + domain).value).toHaveLength(254);
    expect(() => Email.parse('a'.repeat(255 - domain.length) + domain)).toThrow(InvalidUserInputError);
  });

  it('gives undefined instead of an error from tryParse when the address is invalid', () => {
    expect(Email.tryParse('not-an-email')).toBeUndefined();
    expect(Email.tryParse(' Bob@Example.com ')?.value).toBe('bob@example.com');
  });
});
