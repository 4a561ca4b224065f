/**
 * Publish-subscribe (docs/patterns/05-publish-subscribe.md): shipping reads orders.events.v1 in its own consumer
 * group and reacts to order.confirmed.v1 (choreography, docs/patterns/09-choreography-vs-orchestration.md).
 * Kafka carries facts to every subscriber; RabbitMQ hands each piece of work to exactly one worker, so this
 * consumer only turns the fact into a task and the competing workers do the shipping.
 */
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { z } from 'zod';
import { CONSUMER_GROUPS, type Envelope, ORDER_CONFIRMED_V1, TOPICS } from '@shop/contracts';
import { KafkaConsumers } from '@shop/messaging';
import { parseOrThrow } from '@shop/platform';
import { RequestShipmentHandler } from '../../application/commands/request-shipment.command';
import { SHIPPING_CONFIG, type ShippingConfig } from '../../config/shipping.config';

/** Not strict: within a version a producer may add fields, and an older consumer must accept them. */
const orderConfirmedV1 = z.object({
  orderId: z.uuid(),
  userId: z.uuid(),
  items: z.array(z.object({ productId: z.uuid(), quantity: z.number().int(), unitPriceCents: z.number().int().nonnegative() })),
});

@Injectable()
export class OrderEventsConsumer implements OnModuleInit {
  constructor(
    private readonly consumers: KafkaConsumers,
    @Inject(SHIPPING_CONFIG) private readonly config: ShippingConfig,
    private readonly requestShipment: RequestShipmentHandler,
  ) {}

  onModuleInit(): void {
    this.consumers.subscribe({
      groupId: `${this.config.SHIPPING_CONSUMER_GROUP_PREFIX}${CONSUMER_GROUPS.shippingFulfilment}`,
      topics: [TOPICS.orders],
      handle: (message) => this.dispatch(message),
    });
  }

  /** A message that keeps failing (bad data) is retried, then parked on orders.events.v1.dlq by KafkaConsumers. */
  async dispatch(message: Envelope): Promise<void> {
    switch (message.type) {
      case ORDER_CONFIRMED_V1: {
        const { orderId, userId, items } = parseOrThrow(orderConfirmedV1, message.data, ORDER_CONFIRMED_V1);
        await this.requestShipment.execute({
          cause: { messageId: message.id, messageType: message.type, correlationId: message.correlationId },
          task: { orderId, userId, items },
        });
        return;
      }
      default:
        return;
    }
  }
}
