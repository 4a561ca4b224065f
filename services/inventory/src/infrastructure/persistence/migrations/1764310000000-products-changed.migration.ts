import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Every committed change to `products` (stock moves included) sends NOTIFY products_changed, once per statement:
 * each inventory replica's cached catalog listens and drops what it holds (infrastructure/persistence/cached-product-catalog.ts).
 */
export class ProductsChanged1764310000000 implements MigrationInterface {
  name = 'ProductsChanged1764310000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE FUNCTION notify_products_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('products_changed', '');
        RETURN NULL;
      END $$`);
    await queryRunner.query(`CREATE TRIGGER products_changed
      AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON products
      FOR EACH STATEMENT EXECUTE FUNCTION notify_products_changed()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER products_changed ON products`);
    await queryRunner.query(`DROP FUNCTION notify_products_changed()`);
  }
}
