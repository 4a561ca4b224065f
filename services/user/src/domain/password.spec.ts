import { PlainPassword } from './password';

describe('PlainPassword', () => {
  it('accepts 8 and 128 characters, the bounds of the rule', () => {
    expect(PlainPassword.create('x'.repeat(8)).value).toHaveLength(8);
    expect(PlainPassword.create('x'.repeat(128)).value).toHaveLength(128);
  });

  it.each([
    ['7 characters', 'x'.repeat(7)],
    ['129 characters', 'x'.repeat(129)],
    ['an empty string', ''],
    ['four emoji (eight UTF-16 units, four characters)', '🔑🔑🔑🔑'],
  ])('rejects %s with USER.INVALID_PASSWORD', (_case, raw) => {
    expect(() => PlainPassword.create(raw)).toThrow(expect.objectContaining({ code: 'USER.INVALID_PASSWORD', category: 'invalid' }));
  });

  it('keeps surrounding spaces, because they are part of the secret', () => {
    expect(PlainPassword.create('  secret  ').value).toBe('  secret  ');
  });

  it('never shows the secret when turned into text or JSON', () => {
    const password = PlainPassword.create('correct horse battery');
    expect(String(password)).toBe('[password]');
    expect(JSON.stringify({ password })).toBe('{"password":"[password]"}');
  });
});
