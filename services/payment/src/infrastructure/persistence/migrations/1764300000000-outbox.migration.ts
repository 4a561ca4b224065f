import { createInboxTableV1, createOutboxTableV1, dropOutboxAndInboxV1 } from '@shop/messaging';
import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The outbox (payment.charged/declined/refunded.v1, inserted in the transaction of the event-store append that
 * records the fact) and the inbox (ids of the Kafka messages the consumers handled). Tables of libs/messaging, v1.
 */
export class Outbox1764300000000 implements MigrationInterface {
  name = 'Outbox1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await createOutboxTableV1(queryRunner);
    await createInboxTableV1(queryRunner);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropOutboxAndInboxV1(queryRunner);
  }
}
