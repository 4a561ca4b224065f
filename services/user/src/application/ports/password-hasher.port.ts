import { type PlainPassword } from '../../domain/password';

export interface PasswordHasher {
  /** A salted, slow hash in PHC string form. */
  hash(password: PlainPassword): Promise<string>;
  /** True when `password` matches `hash`. Takes as long for a wrong password as for a right one. */
  verify(hash: string, password: string): Promise<boolean>;
  /**
   * A fixed hash made with the same parameters as real ones, of a password nobody knows. Checking a
   * login for an unknown email against it costs the same time as a real check, so timing does not
   * tell which emails exist.
   */
  readonly dummyHash: string;
}
