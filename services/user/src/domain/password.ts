import { InvalidUserInputError } from './user.errors';

export const PASSWORD_MIN_LENGTH = 8;
/** An upper bound keeps one request from making the hasher work on megabytes. */
export const PASSWORD_MAX_LENGTH = 128;

/**
 * A password as the user typed it, checked against the length rules. Never trimmed (spaces are
 * characters like any other), never logged, and only ever stored as a hash.
 */
export class PlainPassword {
  private constructor(readonly value: string) {}

  static create(raw: string): PlainPassword {
    // Characters as a person counts them (code points), not UTF-16 units: four emoji are four characters, not eight.
    const length = [...raw].length;
    if (length < PASSWORD_MIN_LENGTH || length > PASSWORD_MAX_LENGTH) {
      throw new InvalidUserInputError(
        'USER.INVALID_PASSWORD',
        `Password must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters long`,
      );
    }
    return new PlainPassword(raw);
  }

  /** Keeps the secret out of logs and JSON by accident. */
  toString(): string {
    return '[password]';
  }

  toJSON(): string {
    return '[password]';
  }
}
