import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { CATALOG } from '../seed/catalog';

/** Seeds the catalog with its fixed ids (seed/catalog.ts), so ids are identical on every install. */
export class Catalog1764290000000 implements MigrationInterface {
  name = 'Catalog1764290000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `INSERT INTO products (id, sku, name, description, price_cents, stock)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::integer[])
       ON CONFLICT (id) DO NOTHING`,
      [
        CATALOG.map((product) => product.id),
        CATALOG.map((product) => product.sku),
        CATALOG.map((product) => product.name),
        CATALOG.map((product) => product.description),
        CATALOG.map((product) => product.priceCents),
        CATALOG.map((product) => product.stock),
      ],
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM products WHERE id = ANY($1::uuid[])`, [CATALOG.map((product) => product.id)]);
  }
}
