import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class Init1764280000000 implements MigrationInterface {
  name = 'Init1764280000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE products (
        id uuid PRIMARY KEY,
        sku text NOT NULL UNIQUE,
        name text NOT NULL,
        description text NOT NULL,
        price_cents bigint NOT NULL CHECK (price_cents > 0),
        stock integer NOT NULL CHECK (stock >= 0)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE products`);
  }
}
