import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Reservations, one row per order id (the primary key makes Reserve idempotent), and the units each one holds.
 * A RELEASED row without items is a tombstone: the order was cancelled before its reservation arrived.
 */
export class Reservations1764290001000 implements MigrationInterface {
  name = 'Reservations1764290001000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE reservations (
        order_id uuid PRIMARY KEY,
        status text NOT NULL CHECK (status IN ('RESERVED', 'REJECTED', 'RELEASED', 'COMMITTED')),
        unavailable_product_ids uuid[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE TABLE reservation_items (
        order_id uuid NOT NULL REFERENCES reservations (order_id) ON DELETE CASCADE,
        product_id uuid NOT NULL REFERENCES products (id),
        quantity integer NOT NULL CHECK (quantity > 0),
        PRIMARY KEY (order_id, product_id)
      )`);
    await queryRunner.query(`CREATE INDEX reservation_items_product_id_idx ON reservation_items (product_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE reservation_items`);
    await queryRunner.query(`DROP TABLE reservations`);
  }
}
