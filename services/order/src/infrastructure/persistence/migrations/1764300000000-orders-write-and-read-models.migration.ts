import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { createInboxTableV1, createOutboxTableV1, dropOutboxAndInboxV1 } from '@shop/messaging';

/** Write model (orders, lines, idempotency keys, saga state), outbox/inbox, and the read models built from events. */
export class OrdersWriteAndReadModels1764300000000 implements MigrationInterface {
  name = 'OrdersWriteAndReadModels1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE orders
      ADD COLUMN saga_style text NOT NULL DEFAULT 'orchestration' CHECK (saga_style IN ('orchestration', 'choreography')),
      ADD COLUMN reason text,
      ADD COLUMN deadline_at timestamptz NOT NULL DEFAULT now(),
      ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now()`);
    await queryRunner.query(`CREATE INDEX orders_pending_deadline_idx ON orders (deadline_at) WHERE status = 'PENDING'`);
    await queryRunner.query(`CREATE TABLE order_lines (
      order_id uuid NOT NULL REFERENCES orders (id),
      product_id uuid NOT NULL,
      product_name text NOT NULL,
      quantity integer NOT NULL CHECK (quantity > 0),
      unit_price_cents bigint NOT NULL CHECK (unit_price_cents > 0),
      PRIMARY KEY (order_id, product_id)
    )`);
    // IETF idempotency-key draft: keys are scoped per user and remember the request's fingerprint and the answer.
    await queryRunner.query(`CREATE TABLE idempotency_keys (
      user_id uuid NOT NULL,
      key text NOT NULL,
      request_hash text NOT NULL,
      order_id uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      completed_at timestamptz,
      PRIMARY KEY (user_id, key)
    )`);
    await queryRunner.query(`CREATE TABLE saga_instances (
      order_id uuid PRIMARY KEY REFERENCES orders (id),
      saga text NOT NULL,
      status text NOT NULL CHECK (status IN ('RUNNING', 'COMPENSATING', 'DONE')),
      step_index integer NOT NULL,
      pending_compensations integer[] NOT NULL DEFAULT '{}',
      reason text,
      attempts integer NOT NULL DEFAULT 0,
      deadline_at timestamptz NOT NULL,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      lease_until timestamptz,
      last_error text,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await queryRunner.query(`CREATE INDEX saga_instances_due_idx ON saga_instances (next_attempt_at) WHERE status <> 'DONE'`);
    await createOutboxTableV1(queryRunner);
    await createInboxTableV1(queryRunner);
    // Read models (CQRS): denormalised for the queries, written only by the projection from orders.events.v1.
    await queryRunner.query(`CREATE TABLE order_views (
      id uuid PRIMARY KEY,
      user_id uuid NOT NULL,
      status text NOT NULL,
      saga_style text NOT NULL,
      reason text,
      total_cents bigint NOT NULL,
      items jsonb NOT NULL,
      history jsonb NOT NULL,
      tracking_number text,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    )`);
    await queryRunner.query(`CREATE INDEX order_views_user_created_idx ON order_views (user_id, created_at DESC)`);
    await queryRunner.query(`CREATE TABLE sales_by_product (
      product_id uuid PRIMARY KEY,
      product_name text NOT NULL,
      units bigint NOT NULL DEFAULT 0,
      revenue_cents bigint NOT NULL DEFAULT 0,
      orders bigint NOT NULL DEFAULT 0
    )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE sales_by_product`);
    await queryRunner.query(`DROP TABLE order_views`);
    await dropOutboxAndInboxV1(queryRunner);
    await queryRunner.query(`DROP TABLE saga_instances`);
    await queryRunner.query(`DROP TABLE idempotency_keys`);
    await queryRunner.query(`DROP TABLE order_lines`);
    await queryRunner.query(`ALTER TABLE orders DROP COLUMN saga_style, DROP COLUMN reason, DROP COLUMN deadline_at, DROP COLUMN updated_at`);
  }
}
