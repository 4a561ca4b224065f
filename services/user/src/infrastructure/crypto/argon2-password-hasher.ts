import * as argon2 from 'argon2';
import { type PlainPassword } from '../../domain/password';
import { type PasswordHasher } from '../../application/ports/password-hasher.port';

/**
 * argon2id with the OWASP Password Storage Cheat Sheet's baseline: 19 MiB of memory, 2 passes, 1 lane.
 * Changing them changes the cost of new hashes only; old hashes keep their parameters in their PHC string.
 */
export const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/**
 * Made once with ARGON2_OPTIONS from 32 random bytes that were then thrown away: no password matches it,
 * and checking one against it costs what a real check costs.
 */
const DUMMY_HASH = '$argon2id$v=19$m=19456,p=1,t=2$MeFq+3Qu8PAY9Nz8wK4FMg$NFiQUy4NoUF4WnrOf3ista4hNT1TQyOhhVeyR0EV4K8';

export class Argon2PasswordHasher implements PasswordHasher {
  readonly dummyHash = DUMMY_HASH;

  hash(password: PlainPassword): Promise<string> {
    return argon2.hash(password.value, ARGON2_OPTIONS);
  }

  verify(hash: string, password: string): Promise<boolean> {
    return argon2.verify(hash, password);
  }
}
