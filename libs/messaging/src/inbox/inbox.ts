/**
 * Inbox: a consumer records the id of each message it handles in the same transaction as the message's effect.
 * A redelivered or duplicated message finds its id already there and changes nothing, which turns the brokers'
 * at-least-once delivery into an effect that happens exactly once.
 */
import { type Envelope } from '@shop/contracts';
import { type DataSource, type EntityManager } from 'typeorm';

export type InboxOutcome = 'handled' | 'duplicate';

export async function handleOnce(
  dataSource: DataSource,
  consumer: string,
  message: Pick<Envelope, 'id' | 'type'>,
  effect: (manager: EntityManager) => Promise<void>,
): Promise<InboxOutcome> {
  return dataSource.transaction(async (manager) => {
    const inserted: unknown[] = await manager.query(
      `INSERT INTO inbox (consumer, message_id, message_type) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING 1`,
      [consumer, message.id, message.type],
    );
    if (inserted.length === 0) return 'duplicate';
    await effect(manager);
    return 'handled';
  });
}
