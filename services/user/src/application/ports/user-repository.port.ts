import { type Email } from '../../domain/email';
import { type User } from '../../domain/user';

/** Reads of users. Writes go through a transaction (unit-of-work.port.ts). */
export interface UserRepository {
  findById(id: string): Promise<User | undefined>;
  /** Finds by the canonical (lower-case) email. */
  findByEmail(email: Email): Promise<User | undefined>;
}

/** Writes of users inside one transaction. */
export interface UserWriter {
  /**
   * Inserts a new user. Throws EmailTakenError when the email is already registered in any letter case:
   * the database's unique index on lower(email) decides, so two concurrent registrations cannot both win.
   */
  insert(user: User): Promise<void>;
}
