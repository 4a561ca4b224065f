/**
 * Choreography (docs/patterns/09-choreography-vs-orchestration.md) over publish-subscribe
 * (docs/patterns/05-publish-subscribe.md): payment's side of the order saga when no orchestrator calls it.
 * inventory.reserved.v1 (choreography) charges the order; order.cancelled.v1 (every style) refunds it, or voids
 * an order not charged yet so a late charge is declined. Each message through the inbox, exactly once.
 */
import { type OnModuleInit } from '@nestjs/common';
import { CONSUMER_GROUPS, type Envelope, INVENTORY_RESERVED_V1, ORDER_CANCELLED_V1, TOPICS } from '@shop/contracts';
import { handleOnce, type KafkaConsumers } from '@shop/messaging';
import { parseOrThrow } from '@shop/platform';
import { type DataSource } from 'typeorm';
import { z } from 'zod';
import { chargeReservedOrder } from '../../application/event-handlers/inventory-reserved.event-handler';
import { type WalletCommands, type WalletTransactions } from '../../application/ports/wallet-transactions.port';
import { causedBy } from './command-context';

/** Ids in one spelling (lower case), as the gRPC API stores them. Fields added within v1 are ignored. */
const id = z.guid().transform((value) => value.toLowerCase());
const inventoryReserved = z.object({
  orderId: id,
  userId: id,
  totalCents: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  sagaStyle: z.enum(['orchestration', 'choreography']),
});
const orderCancelled = z.object({ orderId: id });

export class PaymentSagaConsumer implements OnModuleInit {
  constructor(
    private readonly consumers: KafkaConsumers,
    private readonly dataSource: DataSource,
    private readonly wallets: WalletTransactions,
    /** PAYMENT_CONSUMER_GROUP_PREFIX: empty in a deployment, unique per spec. */
    private readonly groupPrefix: string,
  ) {}

  onModuleInit(): void {
    this.consumers.subscribe({
      groupId: `${this.groupPrefix}${CONSUMER_GROUPS.paymentSaga}`,
      topics: [TOPICS.inventory, TOPICS.orders],
      handle: (message) => this.dispatch(message),
    });
  }

  async dispatch(message: Envelope): Promise<void> {
    switch (message.type) {
      case INVENTORY_RESERVED_V1: {
        const order = parseOrThrow(inventoryReserved, message.data, INVENTORY_RESERVED_V1);
        await this.once(message, (commands) => chargeReservedOrder(commands.charge, order, causedBy(message)));
        return;
      }
      case ORDER_CANCELLED_V1: {
        const { orderId } = parseOrThrow(orderCancelled, message.data, ORDER_CANCELLED_V1);
        await this.once(message, (commands) => commands.refund.execute({ orderId, ...causedBy(message) }));
        return;
      }
      default:
        return;
    }
  }

  /** The message's effect, its events and their outbox rows in the inbox's transaction. */
  private async once(message: Envelope, work: (commands: WalletCommands) => Promise<unknown>): Promise<void> {
    await handleOnce(this.dataSource, CONSUMER_GROUPS.paymentSaga, message, async (transaction) => {
      await work(this.wallets.join(transaction));
    });
  }
}
