import { InvalidUserInputError } from './user.errors';

/** Longest address SMTP can carry (RFC 5321: 256 octets of path minus the angle brackets). */
export const EMAIL_MAX_LENGTH = 254;

// One '@', no spaces, a dot in the domain: the shape every deliverable address has. Deliverability
// itself is only proven by sending mail, which is not this service's job.
const EMAIL_SHAPE = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

/** An email address in its canonical form: trimmed and lower case, so one mailbox is one account. */
export class Email {
  private constructor(readonly value: string) {}

  static parse(raw: string): Email {
    const value = Email.canonical(raw);
    if (!Email.isValid(value)) {
      throw new InvalidUserInputError('USER.INVALID_EMAIL', 'Email must be a valid address of at most 254 characters');
    }
    return new Email(value);
  }

  /** The canonical email, or undefined when `raw` is not a valid address. */
  static tryParse(raw: string): Email | undefined {
    const value = Email.canonical(raw);
    return Email.isValid(value) ? new Email(value) : undefined;
  }

  toString(): string {
    return this.value;
  }

  private static canonical(raw: string): string {
    return raw.trim().toLowerCase();
  }

  private static isValid(value: string): boolean {
    return value.length > 0 && value.length <= EMAIL_MAX_LENGTH && EMAIL_SHAPE.test(value);
  }
}
