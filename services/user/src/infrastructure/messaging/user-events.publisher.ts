/**
 * Transactional outbox (docs/patterns/05-publish-subscribe.md): `user.registered.v1` is inserted into the outbox
 * in the registration's own transaction, so an account and the news of it commit together; the relay of
 * OutboxModule then publishes it to users.events.v1, keyed by the user id, for every subscribed group.
 */
import { TOPICS, USER_REGISTERED_V1, type UserRegisteredV1Data } from '@shop/contracts';
import { addToOutbox, envelope, kafkaMessage } from '@shop/messaging';
import { type EntityManager } from 'typeorm';
import { type RegisteredAccount, type UserEvents } from '../../application/ports/user-events.port';

export class OutboxUserEvents implements UserEvents {
  /** `manager` is the transaction's: the outbox row commits or rolls back with the user row. */
  constructor(private readonly manager: EntityManager) {}

  async registered(account: RegisteredAccount): Promise<void> {
    const data: UserRegisteredV1Data = { userId: account.id, email: account.email, name: account.name };
    // The registration is its own business transaction: the user id correlates everything it causes.
    const event = envelope(USER_REGISTERED_V1, data, { correlationId: account.id });
    await addToOutbox(this.manager, [kafkaMessage(TOPICS.users, account.id, event)]);
  }
}
