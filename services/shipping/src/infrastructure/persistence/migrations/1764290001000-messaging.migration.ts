import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { createInboxTableV1, createOutboxTableV1, dropOutboxAndInboxV1 } from '@shop/messaging';

/** The outbox (create-shipment tasks, shipping.shipped.v1 events) and the inbox (order events handled once). */
export class Messaging1764290001000 implements MigrationInterface {
  name = 'Messaging1764290001000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await createOutboxTableV1(queryRunner);
    await createInboxTableV1(queryRunner);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropOutboxAndInboxV1(queryRunner);
  }
}
