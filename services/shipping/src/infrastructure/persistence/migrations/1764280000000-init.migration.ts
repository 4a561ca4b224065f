import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class Init1764280000000 implements MigrationInterface {
  name = 'Init1764280000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE shipments (
        id uuid PRIMARY KEY,
        order_id uuid NOT NULL UNIQUE,
        tracking_number text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE shipments`);
  }
}
