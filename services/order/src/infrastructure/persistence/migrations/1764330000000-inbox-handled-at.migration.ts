import { addInboxHandledAtIndexV2, dropInboxHandledAtIndexV2 } from '@shop/messaging';
import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** Inbox v2 of libs/messaging: an index on handled_at, by which the inbox pruner finds the rows past their retention. */
export class InboxHandledAt1764330000000 implements MigrationInterface {
  name = 'InboxHandledAt1764330000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await addInboxHandledAtIndexV2(queryRunner);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropInboxHandledAtIndexV2(queryRunner);
  }
}
