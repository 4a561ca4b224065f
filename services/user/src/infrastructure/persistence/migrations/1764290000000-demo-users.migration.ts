import * as argon2 from 'argon2';
import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { ARGON2_OPTIONS } from '../../crypto/argon2-password-hasher';

/** Demo accounts with fixed ids, so other services' seed data and the demo scripts can refer to them. */
export const DEMO_USERS = [
  { id: 'a11ce000-0000-4000-8000-000000000001', email: 'alice@example.com', name: 'Alice Demo', password: 'alice-password' },
  { id: 'b0b00000-0000-4000-8000-000000000002', email: 'bob@example.com', name: 'Bob Demo', password: 'bob-password' },
] as const;

export class DemoUsers1764290000000 implements MigrationInterface {
  name = 'DemoUsers1764290000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const user of DEMO_USERS) {
      // Hashed here, with the service's parameters and a fresh salt: no password hash is kept in the repository.
      const passwordHash = await argon2.hash(user.password, ARGON2_OPTIONS);
      await queryRunner.query(
        `INSERT INTO users (id, email, name, password_hash) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
        [user.id, user.email, user.name, passwordHash],
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM users WHERE id = ANY($1::uuid[])`, [DEMO_USERS.map((user) => user.id)]);
  }
}
