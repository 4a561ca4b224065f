import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Choreography: when inventory's reservation of a pending order reached order. The deadline watcher reads it to name
 * the participant that stayed silent: no reservation by the deadline is INVENTORY_UNAVAILABLE, a reservation without a
 * payment reply is PAYMENT_UNAVAILABLE.
 */
export class StockReservedAt1764310000000 implements MigrationInterface {
  name = 'StockReservedAt1764310000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE orders ADD COLUMN stock_reserved_at timestamptz`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE orders DROP COLUMN stock_reserved_at`);
  }
}
