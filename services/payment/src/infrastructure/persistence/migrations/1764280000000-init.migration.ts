import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Event sourcing: `events` is the append-only event store (the source of truth); the database itself refuses
 * UPDATE, DELETE and TRUNCATE on it. `wallet_balances` and `order_payments` are projections, rebuilt from the
 * events by replay. `voided_orders` holds the void markers of refunds that arrived before any charge.
 * See docs/patterns/04-event-sourcing.md.
 */
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
        occurred_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
        correlation_id uuid,
        causation_id uuid,
        CONSTRAINT events_stream_version_unique UNIQUE (stream_id, version)
      )`);
    await queryRunner.query(`CREATE FUNCTION events_are_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'events are immutable: % on the event store is not allowed', TG_OP
          USING ERRCODE = 'restrict_violation', HINT = 'Record a new event instead.';
      END
      $$`);
    // Statement-level, so even an UPDATE or DELETE that matches no row is refused.
    await queryRunner.query(`CREATE TRIGGER events_no_update_or_delete BEFORE UPDATE OR DELETE ON events
      FOR EACH STATEMENT EXECUTE FUNCTION events_are_immutable()`);
    await queryRunner.query(`CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
      FOR EACH STATEMENT EXECUTE FUNCTION events_are_immutable()`);

    await queryRunner.query(`CREATE TABLE wallet_balances (
        user_id uuid PRIMARY KEY,
        balance_cents bigint NOT NULL CHECK (balance_cents >= 0),
        version integer NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE TABLE order_payments (
        order_id uuid PRIMARY KEY,
        user_id uuid NOT NULL,
        status text NOT NULL CHECK (status IN ('CHARGED', 'DECLINED', 'REFUNDED')),
        amount_cents bigint NOT NULL CHECK (amount_cents > 0),
        decline_reason text,
        updated_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX order_payments_user_idx ON order_payments (user_id)`);
    await queryRunner.query(`CREATE TABLE voided_orders (
        order_id uuid PRIMARY KEY,
        voided_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE voided_orders`);
    await queryRunner.query(`DROP TABLE order_payments`);
    await queryRunner.query(`DROP TABLE wallet_balances`);
    await queryRunner.query(`DROP TABLE events`);
    await queryRunner.query(`DROP FUNCTION events_are_immutable()`);
  }
}
