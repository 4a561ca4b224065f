/**
 * Choreography (docs/patterns/09-choreography-vs-orchestration.md) over publish-subscribe
 * (docs/patterns/05-publish-subscribe.md): inventory's side of the order saga, in its own consumer group.
 * order.placed.v1 (choreography) reserves; order.confirmed.v1 commits; order.cancelled.v1 and payment.declined.v1
 * release. Each message through the inbox, with its outbox rows in the same transaction as the stock change.
 */
import { type OnModuleInit } from '@nestjs/common';
import {
  CONSUMER_GROUPS,
  type Envelope,
  ORDER_CANCELLED_V1,
  ORDER_CONFIRMED_V1,
  ORDER_PLACED_V1,
  PAYMENT_DECLINED_V1,
  TOPICS,
} from '@shop/contracts';
import { handleOnce, type KafkaConsumers } from '@shop/messaging';
import { parseOrThrow } from '@shop/platform';
import { type DataSource } from 'typeorm';
import { z } from 'zod';
import { MAX_LINE_QUANTITY, MIN_LINE_QUANTITY } from '../../domain/reservation';
import { commitStock } from '../../application/commands/commit-stock.command';
import { releaseFailedOrder } from '../../application/event-handlers/release-failed-order.event-handler';
import { reservePlacedOrder } from '../../application/event-handlers/reserve-placed-order.event-handler';
import { type MessageCause } from '../../application/ports/inventory-events.port';
import { type InventoryTransaction, type InventoryTransactions } from '../../application/ports/inventory-transactions.port';

/** The fields used or passed on, with the limits of the gRPC Reserve; other fields added within v1 are ignored. */
const orderPlaced = z.object({
  orderId: z.uuid(),
  userId: z.uuid(),
  items: z
    .array(
      z.object({
        productId: z.uuid(),
        productName: z.string().optional(),
        quantity: z.int().min(MIN_LINE_QUANTITY).max(MAX_LINE_QUANTITY),
        unitPriceCents: z.int().nonnegative(),
      }),
    )
    .min(1)
    .max(100),
  totalCents: z.int().nonnegative(),
  sagaStyle: z.enum(['orchestration', 'choreography']),
});
const orderOnly = z.object({ orderId: z.uuid() });

export class InventorySagaConsumer implements OnModuleInit {
  constructor(
    private readonly consumers: KafkaConsumers,
    private readonly dataSource: DataSource,
    private readonly transactions: InventoryTransactions,
    /** INVENTORY_CONSUMER_GROUP_PREFIX: empty in a deployment, unique per spec. */
    private readonly groupPrefix: string,
  ) {}

  onModuleInit(): void {
    this.consumers.subscribe({
      groupId: `${this.groupPrefix}${CONSUMER_GROUPS.inventorySaga}`,
      topics: [TOPICS.orders, TOPICS.payments],
      handle: (message) => this.dispatch(message),
    });
  }

  async dispatch(message: Envelope): Promise<void> {
    const cause: MessageCause = { correlationId: message.correlationId, causationId: message.id };
    switch (message.type) {
      case ORDER_PLACED_V1: {
        const order = parseOrThrow(orderPlaced, message.data, ORDER_PLACED_V1);
        await this.once(message, (tx) => reservePlacedOrder(tx, order, cause));
        return;
      }
      case ORDER_CONFIRMED_V1: {
        const { orderId } = parseOrThrow(orderOnly, message.data, ORDER_CONFIRMED_V1);
        await this.once(message, (tx) => commitStock(tx, { orderId }));
        return;
      }
      case ORDER_CANCELLED_V1:
      case PAYMENT_DECLINED_V1: {
        const { orderId } = parseOrThrow(orderOnly, message.data, message.type);
        await this.once(message, (tx) => releaseFailedOrder(tx, orderId, cause));
        return;
      }
      default:
        return;
    }
  }

  /** The message's effect and its outbox rows in the inbox's transaction: all of it happens once, or not at all. */
  private async once(message: Envelope, work: (tx: InventoryTransaction) => Promise<unknown>): Promise<void> {
    await handleOnce(this.dataSource, CONSUMER_GROUPS.inventorySaga, message, async (transaction) => {
      await work(this.transactions.join(transaction));
    });
  }
}
