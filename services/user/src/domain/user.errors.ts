import { DomainError } from '@shop/platform/errors';

/** The input breaks a rule of the user model (email, password or name). */
export class InvalidUserInputError extends DomainError {
  constructor(code: 'USER.INVALID_EMAIL' | 'USER.INVALID_PASSWORD' | 'USER.INVALID_NAME', message: string) {
    super(code, 'invalid', message);
    this.name = 'InvalidUserInputError';
  }
}

/** Another user already registered this email (compared case-insensitively). */
export class EmailTakenError extends DomainError {
  constructor() {
    super('USER.EMAIL_TAKEN', 'conflict', 'A user with this email already exists');
    this.name = 'EmailTakenError';
  }
}

export class UserNotFoundError extends DomainError {
  constructor(userId: string) {
    super('USER.NOT_FOUND', 'not_found', `User ${userId} not found`, { userId });
    this.name = 'UserNotFoundError';
  }
}

/**
 * Wrong password and unknown email give this same error, word for word, so an answer never tells
 * which emails have an account.
 */
export class InvalidCredentialsError extends DomainError {
  constructor() {
    super('USER.INVALID_CREDENTIALS', 'unauthenticated', 'Invalid email or password');
    this.name = 'InvalidCredentialsError';
  }
}
