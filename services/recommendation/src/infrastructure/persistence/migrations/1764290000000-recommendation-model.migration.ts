import { createInboxTableV1 } from '@shop/messaging';
import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The rest of the model next to product_popularity: who bought what, how often two products were bought
 * together (one row per direction, so "what goes with A" is one index range), the orders already counted,
 * and the inbox that makes every event count once.
 */
export class RecommendationModel1764290000000 implements MigrationInterface {
  name = 'RecommendationModel1764290000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE product_popularity
        ADD CONSTRAINT product_popularity_purchases_check CHECK (purchases >= 0),
        ADD CONSTRAINT product_popularity_views_check CHECK (views >= 0)`);
    await queryRunner.query(`CREATE TABLE user_purchases (
        user_id uuid NOT NULL,
        product_id uuid NOT NULL,
        first_bought_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, product_id)
      )`);
    await queryRunner.query(`CREATE TABLE co_purchases (
        product_id uuid NOT NULL,
        other_product_id uuid NOT NULL,
        count bigint NOT NULL CHECK (count > 0),
        PRIMARY KEY (product_id, other_product_id),
        CHECK (product_id <> other_product_id)
      )`);
    await queryRunner.query(`CREATE TABLE counted_orders (
        order_id uuid PRIMARY KEY,
        user_id uuid NOT NULL,
        counted_at timestamptz NOT NULL DEFAULT now()
      )`);
    await createInboxTableV1(queryRunner);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE inbox`);
    await queryRunner.query(`DROP TABLE counted_orders`);
    await queryRunner.query(`DROP TABLE co_purchases`);
    await queryRunner.query(`DROP TABLE user_purchases`);
    await queryRunner.query(`ALTER TABLE product_popularity
        DROP CONSTRAINT product_popularity_purchases_check,
        DROP CONSTRAINT product_popularity_views_check`);
  }
}
