import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { ProductsChanged1764310000000 } from './1764310000000-products-changed.migration';

/**
 * NOTIFY products_changed names the products a statement changed: the payload is their ids, comma-separated, so each
 * inventory replica's cached catalog refreshes those rows instead of reloading the whole catalog after every stock move
 * (infrastructure/persistence/cached-product-catalog.ts). An empty payload still means "anything may have changed":
 * TRUNCATE, a statement changing more ids than fit in a notification (8000 bytes), and the payload of the previous
 * trigger, which a replica still running the old code also treats that way. A statement that changed no row sends
 * nothing. Transition tables need one trigger per event.
 */
export class ProductsChangedIds1764320000000 implements MigrationInterface {
  name = 'ProductsChangedIds1764320000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER products_changed ON products`);
    await queryRunner.query(`CREATE OR REPLACE FUNCTION notify_products_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        ids text;
      BEGIN
        IF TG_OP = 'TRUNCATE' THEN
          ids := '';
        ELSIF TG_OP = 'INSERT' THEN
          SELECT string_agg(id::text, ',') INTO ids FROM new_rows;
        ELSIF TG_OP = 'DELETE' THEN
          SELECT string_agg(id::text, ',') INTO ids FROM old_rows;
        ELSE
          SELECT string_agg(id::text, ',') INTO ids FROM (SELECT id FROM old_rows UNION SELECT id FROM new_rows) AS changed;
        END IF;
        IF ids IS NULL THEN
          RETURN NULL;
        END IF;
        IF octet_length(ids) > 7900 THEN
          ids := '';
        END IF;
        PERFORM pg_notify('products_changed', ids);
        RETURN NULL;
      END $$`);
    await queryRunner.query(`CREATE TRIGGER products_inserted AFTER INSERT ON products
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_products_changed()`);
    await queryRunner.query(`CREATE TRIGGER products_updated AFTER UPDATE ON products
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_products_changed()`);
    await queryRunner.query(`CREATE TRIGGER products_deleted AFTER DELETE ON products
      REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_products_changed()`);
    await queryRunner.query(`CREATE TRIGGER products_truncated AFTER TRUNCATE ON products
      FOR EACH STATEMENT EXECUTE FUNCTION notify_products_changed()`);
  }

  /** Drops the four triggers and the function, then puts back the previous migration's trigger as that one made it. */
  async down(queryRunner: QueryRunner): Promise<void> {
    for (const trigger of ['products_inserted', 'products_updated', 'products_deleted', 'products_truncated']) {
      await queryRunner.query(`DROP TRIGGER ${trigger} ON products`);
    }
    await queryRunner.query(`DROP FUNCTION notify_products_changed()`);
    await new ProductsChanged1764310000000().up(queryRunner);
  }
}
