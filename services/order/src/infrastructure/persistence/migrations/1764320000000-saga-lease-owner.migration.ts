import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Fencing for the saga lease: each claim writes a new owner, and a save counts only when it names the owner still
 * on record. A run that paused past its lease while another run took the saga over can then change nothing.
 */
export class SagaLeaseOwner1764320000000 implements MigrationInterface {
  name = 'SagaLeaseOwner1764320000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE saga_instances ADD COLUMN lease_owner uuid`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE saga_instances DROP COLUMN lease_owner`);
  }
}
