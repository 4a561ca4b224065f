import { randomUUID } from 'node:crypto';
import { Email } from '../../domain/email';
import { PlainPassword } from '../../domain/password';
import { User, UserName } from '../../domain/user';
import { type Clock } from '../ports/clock.port';
import { type PasswordHasher } from '../ports/password-hasher.port';
import { type UnitOfWork } from '../ports/unit-of-work.port';

export interface RegisterUserCommand {
  readonly email: string;
  readonly password: string;
  readonly name: string;
}

export interface RegisteredUser {
  readonly id: string;
  readonly email: string;
  readonly name: string;
}

/**
 * Registers a user. Safe to repeat: the same email again never makes a second account, it ends in
 * EmailTakenError (409). The database's unique index on lower(email) is the judge, so two concurrent
 * registrations of one email end with exactly one user, with no check-then-insert race. The same transaction
 * writes `user.registered.v1` to the outbox, so the payment service opens the wallet of exactly the users who exist.
 */
export class RegisterUserHandler {
  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly hasher: PasswordHasher,
    private readonly clock: Clock,
  ) {}

  async execute(command: RegisterUserCommand): Promise<RegisteredUser> {
    const email = Email.parse(command.email);
    const name = UserName.create(command.name);
    const password = PlainPassword.create(command.password);
    // Hashing is slow on purpose: do it before the transaction so no connection is held meanwhile.
    const passwordHash = await this.hasher.hash(password);
    const user = User.register({ id: randomUUID(), email, name, passwordHash, createdAt: this.clock() });
    const registered = { id: user.id, email: user.email.value, name: user.name.value };
    // The account and the `user.registered.v1` fact commit together or not at all: a taken email writes neither.
    await this.unitOfWork.run(async (tx) => {
      await tx.users.insert(user);
      await tx.events.registered(registered);
    });
    return registered;
  }
}
