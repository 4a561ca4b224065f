import { Email } from '../../domain/email';
import { type User } from '../../domain/user';
import { InvalidCredentialsError } from '../../domain/user.errors';
import { type PasswordHasher } from '../ports/password-hasher.port';
import { type TokenIssuer } from '../ports/token-issuer.port';
import { type UserRepository } from '../ports/user-repository.port';

export interface LogInCommand {
  readonly email: string;
  readonly password: string;
}

export interface Session {
  readonly accessToken: string;
  readonly tokenType: 'Bearer';
  readonly expiresIn: number;
}

/**
 * Exchanges email and password for a signed access token. Writes nothing, so repeating it is safe
 * (each call issues a fresh token). A wrong password and an unknown email fail the same way and take
 * the same time: the password is always checked against a hash, the dummy one when no user matches.
 */
export class LogInHandler {
  constructor(
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    private readonly tokens: TokenIssuer,
  ) {}

  async execute(command: LogInCommand): Promise<Session> {
    const user = await this.findUser(command.email);
    const matches = await this.hasher.verify(user?.passwordHash ?? this.hasher.dummyHash, command.password);
    if (!user || !matches) throw new InvalidCredentialsError();
    const token = await this.tokens.issue({ userId: user.id });
    return { accessToken: token.accessToken, tokenType: 'Bearer', expiresIn: token.expiresIn };
  }

  /** No account can have a malformed email, so one finds no user (and still pays for the hash check). */
  private async findUser(rawEmail: string): Promise<User | undefined> {
    const email = Email.tryParse(rawEmail);
    return email ? this.users.findByEmail(email) : undefined;
  }
}
