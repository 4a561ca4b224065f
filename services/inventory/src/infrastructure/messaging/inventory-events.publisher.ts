/**
 * Transactional outbox (docs/patterns/05-publish-subscribe.md): inventory's saga events are inserted into the
 * outbox in the transaction of the stock change they report, so the change and its announcement commit together;
 * the relay of OutboxModule publishes them to inventory.events.v1, keyed by the order id.
 */
import {
  INVENTORY_REJECTED_V1,
  INVENTORY_RELEASED_V1,
  INVENTORY_RESERVED_V1,
  type InventoryRejectedV1Data,
  type InventoryReleasedV1Data,
  type InventoryReservedV1Data,
  TOPICS,
} from '@shop/contracts';
import { addToOutbox, envelope, kafkaMessage } from '@shop/messaging';
import { type EntityManager } from 'typeorm';
import { type InventoryEvents, type MessageCause } from '../../application/ports/inventory-events.port';

export class OutboxInventoryEvents implements InventoryEvents {
  /** `manager` is the transaction's: the outbox row commits or rolls back with the stock change. */
  constructor(private readonly manager: EntityManager) {}

  reserved(data: InventoryReservedV1Data, cause: MessageCause): Promise<void> {
    return this.add(INVENTORY_RESERVED_V1, data, cause);
  }

  rejected(data: InventoryRejectedV1Data, cause: MessageCause): Promise<void> {
    return this.add(INVENTORY_REJECTED_V1, data, cause);
  }

  released(data: InventoryReleasedV1Data, cause: MessageCause): Promise<void> {
    return this.add(INVENTORY_RELEASED_V1, data, cause);
  }

  private async add(type: string, data: { readonly orderId: string }, cause: MessageCause): Promise<void> {
    await addToOutbox(this.manager, [kafkaMessage(TOPICS.inventory, data.orderId, envelope(type, data, cause))]);
  }
}
