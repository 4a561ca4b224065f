import { type Email } from './email';
import { InvalidUserInputError } from './user.errors';

export const NAME_MAX_LENGTH = 100;

/** A display name: trimmed, 1 to 100 characters. */
export class UserName {
  private constructor(readonly value: string) {}

  static create(raw: string): UserName {
    const value = raw.trim();
    if (value.length === 0 || value.length > NAME_MAX_LENGTH) {
      throw new InvalidUserInputError('USER.INVALID_NAME', `Name must be 1 to ${NAME_MAX_LENGTH} characters long`);
    }
    return new UserName(value);
  }

  toString(): string {
    return this.value;
  }
}

export interface UserProps {
  readonly id: string;
  readonly email: Email;
  readonly name: UserName;
  /** An argon2id hash in PHC string form; the plain password is never kept. */
  readonly passwordHash: string;
  readonly createdAt: Date;
}

/** A registered user: who they are (id, email, name) and how they prove it (the password hash). */
export class User {
  private constructor(private readonly props: UserProps) {}

  /** A new user. The caller supplies id, hash and time so this model stays free of crypto and clocks. */
  static register(props: UserProps): User {
    return new User(props);
  }

  /** A user loaded from storage, already valid when it was registered. */
  static restore(props: UserProps): User {
    return new User(props);
  }

  get id(): string {
    return this.props.id;
  }

  get email(): Email {
    return this.props.email;
  }

  get name(): UserName {
    return this.props.name;
  }

  get passwordHash(): string {
    return this.props.passwordHash;
  }

  get createdAt(): Date {
    return this.props.createdAt;
  }

  /** What other services and the user may see: never the hash. */
  profile(): UserProfile {
    return { id: this.id, email: this.email.value, name: this.name.value, createdAt: this.createdAt };
  }
}

export interface UserProfile {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly createdAt: Date;
}
