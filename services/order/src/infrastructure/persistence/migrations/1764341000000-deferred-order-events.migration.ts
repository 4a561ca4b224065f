import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Read model (CQRS): a status event whose order the read model is not yet at (no row: its order.placed.v1 was
 * dead-lettered or is being replayed; or a shipment before its confirmation) waits here, whole, until the projection
 * reaches the status it moves from (order-read-model.projection.ts).
 */
export class DeferredOrderEvents1764341000000 implements MigrationInterface {
  name = 'DeferredOrderEvents1764341000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE deferred_order_events (
      message_id uuid PRIMARY KEY,
      order_id uuid NOT NULL,
      envelope jsonb NOT NULL,
      deferred_at timestamptz NOT NULL DEFAULT now()
    )`);
    await queryRunner.query(`CREATE INDEX deferred_order_events_order_idx ON deferred_order_events (order_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE deferred_order_events`);
  }
}
