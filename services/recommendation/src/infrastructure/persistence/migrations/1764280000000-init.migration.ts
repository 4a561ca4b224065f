import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class Init1764280000000 implements MigrationInterface {
  name = 'Init1764280000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE product_popularity (
        product_id uuid PRIMARY KEY,
        purchases bigint NOT NULL DEFAULT 0,
        views bigint NOT NULL DEFAULT 0
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE product_popularity`);
  }
}
