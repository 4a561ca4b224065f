import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** Who a shipment goes to and what it holds; a tracking number names one shipment only. */
export class ShipmentDetails1764290000000 implements MigrationInterface {
  name = 'ShipmentDetails1764290000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE shipments
        ADD COLUMN user_id uuid NOT NULL,
        ADD COLUMN items jsonb NOT NULL CHECK (jsonb_typeof(items) = 'array' AND jsonb_array_length(items) > 0),
        ADD CONSTRAINT shipments_tracking_number_key UNIQUE (tracking_number)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE shipments
        DROP CONSTRAINT shipments_tracking_number_key,
        DROP COLUMN items,
        DROP COLUMN user_id`);
  }
}
