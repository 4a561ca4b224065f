import { type DataSource, type EntityManager, QueryFailedError } from 'typeorm';
import { type Email } from '../../domain/email';
import { type User } from '../../domain/user';
import { EmailTakenError } from '../../domain/user.errors';
import { type UnitOfWork, type UserTransaction } from '../../application/ports/unit-of-work.port';
import { type UserRepository, type UserWriter } from '../../application/ports/user-repository.port';
import { OutboxUserEvents } from '../messaging/user-events.publisher';
import { toUser, toUserRow, UserEntity } from './user.entity';

/** Name of the unique index on lower(email), created by the init migration. */
const EMAIL_UNIQUE_INDEX = 'users_email_key';
const UNIQUE_VIOLATION = '23505';

export class TypeOrmUserRepository implements UserRepository {
  constructor(private readonly dataSource: DataSource) {}

  async findById(id: string): Promise<User | undefined> {
    const row = await this.dataSource
      .getRepository(UserEntity)
      .createQueryBuilder('user')
      .where('user.id = :id', { id })
      .getOne();
    return row ? toUser(row) : undefined;
  }

  async findByEmail(email: Email): Promise<User | undefined> {
    // lower(email), as in the unique index, so the lookup uses it.
    const row = await this.dataSource
      .getRepository(UserEntity)
      .createQueryBuilder('user')
      .where('lower(user.email) = :email', { email: email.value })
      .getOne();
    return row ? toUser(row) : undefined;
  }
}

/** Writes through the transaction's EntityManager, so they commit or roll back with everything else in it. */
class TypeOrmUserWriter implements UserWriter {
  constructor(private readonly manager: EntityManager) {}

  async insert(user: User): Promise<void> {
    try {
      await this.manager.createQueryBuilder().insert().into(UserEntity).values(toUserRow(user)).execute();
    } catch (error) {
      if (isEmailUniqueViolation(error)) throw new EmailTakenError();
      throw error;
    }
  }
}

/** One PostgreSQL transaction per `run`; the user writer and the outbox writer share its `manager`. */
export class TypeOrmUnitOfWork implements UnitOfWork {
  constructor(private readonly dataSource: DataSource) {}

  run<T>(work: (tx: UserTransaction) => Promise<T>): Promise<T> {
    return this.dataSource.transaction((manager) => work({ users: new TypeOrmUserWriter(manager), events: new OutboxUserEvents(manager) }));
  }
}

function isEmailUniqueViolation(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = error.driverError as { code?: unknown; constraint?: unknown };
  return driverError.code === UNIQUE_VIOLATION && driverError.constraint === EMAIL_UNIQUE_INDEX;
}
