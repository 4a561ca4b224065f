import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class Init1764280000000 implements MigrationInterface {
  name = 'Init1764280000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE events (
        global_position bigserial PRIMARY KEY,
        stream_id text NOT NULL,
        version integer NOT NULL CHECK (version > 0),
        type text NOT NULL,
        schema_version integer NOT NULL DEFAULT 1,
        data jsonb NOT NULL,
        occurred_at timestamptz NOT NULL DEFAULT now(),
        correlation_id uuid,
        causation_id uuid,
        UNIQUE (stream_id, version)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE events`);
  }
}
