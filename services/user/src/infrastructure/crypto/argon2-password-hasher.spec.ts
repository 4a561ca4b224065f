import { PlainPassword } from '../../domain/password';
import { Argon2PasswordHasher } from './argon2-password-hasher';

/** The PHC parameter string of a hash, e.g. `m=19456,p=1,t=2`, in a fixed order. */
const parametersOf = (hash: string): string => hash.split('$')[3].split(',').sort().join(',');

describe('Argon2PasswordHasher', () => {
  const hasher = new Argon2PasswordHasher();

  it('hashes with argon2id and a fresh salt each time', async () => {
    const password = PlainPassword.create('alice-password');
    const [first, second] = await Promise.all([hasher.hash(password), hasher.hash(password)]);
    expect(first).toMatch(/^\$argon2id\$v=19\$/);
    expect(first).not.toBe(second);
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const hash = await hasher.hash(PlainPassword.create('alice-password'));
    await expect(hasher.verify(hash, 'alice-password')).resolves.toBe(true);
    await expect(hasher.verify(hash, 'alice-passwore')).resolves.toBe(false);
  });

  it('has a dummy hash made with the same algorithm and parameters as real hashes, so checks cost the same', async () => {
    const real = await hasher.hash(PlainPassword.create('alice-password'));
    expect(hasher.dummyHash.split('$')[1]).toBe('argon2id');
    expect(parametersOf(hasher.dummyHash)).toBe(parametersOf(real));
  });

  it('matches no ordinary password against the dummy hash', async () => {
    await expect(hasher.verify(hasher.dummyHash, 'alice-password')).resolves.toBe(false);
    await expect(hasher.verify(hasher.dummyHash, '')).resolves.toBe(false);
  });
});
