import { type UserEvents } from './user-events.port';
import { type UserWriter } from './user-repository.port';

/** What one transaction can write: users, and the events that report the change (an outbox), together. */
export interface UserTransaction {
  readonly users: UserWriter;
  readonly events: UserEvents;
}

/** Runs a use case's writes in one database transaction: all of them commit, or none does. */
export interface UnitOfWork {
  run<T>(work: (tx: UserTransaction) => Promise<T>): Promise<T>;
}
