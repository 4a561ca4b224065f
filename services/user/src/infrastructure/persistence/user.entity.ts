import { Column, Entity, PrimaryColumn } from 'typeorm';
import { Email } from '../../domain/email';
import { User, UserName } from '../../domain/user';

/** The `users` table (created by the migrations). Maps to and from the domain model; never leaves this folder. */
@Entity({ name: 'users' })
export class UserEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  /** Stored in canonical lower case; the unique index is on lower(email). */
  @Column({ type: 'text' })
  email!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ name: 'password_hash', type: 'text' })
  passwordHash!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

export function toUserRow(user: User): UserEntity {
  return {
    id: user.id,
    email: user.email.value,
    name: user.name.value,
    passwordHash: user.passwordHash,
    createdAt: user.createdAt,
  };
}

export function toUser(row: UserEntity): User {
  return User.restore({
    id: row.id,
    email: Email.parse(row.email),
    name: UserName.create(row.name),
    passwordHash: row.passwordHash,
    createdAt: row.createdAt,
  });
}
