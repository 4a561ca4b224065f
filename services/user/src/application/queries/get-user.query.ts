import { type UserProfile } from '../../domain/user';
import { UserNotFoundError } from '../../domain/user.errors';
import { type UserRepository } from '../ports/user-repository.port';

export interface GetUserQuery {
  readonly userId: string;
}

/** A user's profile (never the password hash), or UserNotFoundError. */
export class GetUserHandler {
  constructor(private readonly users: UserRepository) {}

  async execute(query: GetUserQuery): Promise<UserProfile> {
    const user = await this.users.findById(query.userId);
    if (!user) throw new UserNotFoundError(query.userId);
    return user.profile();
  }
}
