import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The outbox and inbox tables, version 1. Each service's own migration calls these, so every service has the
 * same tables in its own database. A change to them is a new function and a new migration, never an edit.
 */
export async function createOutboxTableV1(queryRunner: QueryRunner): Promise<void> {
  await queryRunner.query(`
    CREATE TABLE outbox (
      position bigserial PRIMARY KEY,
      id uuid NOT NULL UNIQUE,
      destination text NOT NULL CHECK (destination IN ('kafka', 'rabbitmq')),
      topic text NOT NULL,
      message_key text NOT NULL,
      envelope jsonb NOT NULL,
      headers jsonb NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      sent_at timestamptz
    )`);
  await queryRunner.query(`CREATE INDEX outbox_unsent_idx ON outbox (position) WHERE sent_at IS NULL`);
  await queryRunner.query(`CREATE INDEX outbox_sent_at_idx ON outbox (sent_at) WHERE sent_at IS NOT NULL`);
}

export async function createInboxTableV1(queryRunner: QueryRunner): Promise<void> {
  await queryRunner.query(`
    CREATE TABLE inbox (
      consumer text NOT NULL,
      message_id uuid NOT NULL,
      message_type text NOT NULL,
      handled_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (consumer, message_id)
    )`);
}

/** Inbox version 2: an index on `handled_at`, so that the inbox pruner (inbox-pruner.ts) finds old rows by it. */
export async function addInboxHandledAtIndexV2(queryRunner: QueryRunner): Promise<void> {
  await queryRunner.query(`CREATE INDEX inbox_handled_at_idx ON inbox (handled_at)`);
}

export async function dropInboxHandledAtIndexV2(queryRunner: QueryRunner): Promise<void> {
  await queryRunner.query(`DROP INDEX IF EXISTS inbox_handled_at_idx`);
}

/**
 * The migration to inbox version 2, the same for every service that consumes: each lists this class after the
 * migration that created its inbox, and TypeORM records it in that service's own migrations table.
 */
export class InboxHandledAt1764330000000 implements MigrationInterface {
  name = 'InboxHandledAt1764330000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await addInboxHandledAtIndexV2(queryRunner);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropInboxHandledAtIndexV2(queryRunner);
  }
}

export async function dropOutboxAndInboxV1(queryRunner: QueryRunner): Promise<void> {
  await queryRunner.query(`DROP TABLE IF EXISTS inbox`);
  await queryRunner.query(`DROP TABLE IF EXISTS outbox`);
}
