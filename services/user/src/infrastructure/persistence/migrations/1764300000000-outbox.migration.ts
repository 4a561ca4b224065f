import { createInboxTableV1, createOutboxTableV1, dropOutboxAndInboxV1 } from '@shop/messaging';
import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The outbox (events written in the transaction of the change, published by the relay) and the inbox
 * (handled message ids), version 1 of the tables every service shares the shape of. See libs/messaging.
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
