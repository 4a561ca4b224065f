import { type UserWriter } from './user-repository.port';

/** What one transaction can write. Further writers (an outbox of events) join here, in the same transaction. */
export interface UserTransaction {
  readonly users: UserWriter;
}

/** Runs a use case's writes in one database transaction: all of them commit, or none does. */
export interface UnitOfWork {
  run<T>(work: (tx: UserTransaction) => Promise<T>): Promise<T>;
}
