/**
 * Publish-subscribe (docs/patterns/05-publish-subscribe.md): the recommendation model subscribes, in its own
 * consumer group, to the order events (what was bought together) and the user-activity events (what was
 * looked at). No producer knows this consumer exists; each update goes through the inbox, so it counts once.
 */
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import {
  CONSUMER_GROUPS,
  type Envelope,
  ORDER_CONFIRMED_V1,
  PRODUCT_VIEWED_V1,
  TOPICS,
} from '@shop/contracts';
import { KafkaConsumers } from '@shop/messaging';
import { parseOrThrow } from '@shop/platform';
import { z } from 'zod';
import { RecordProductViewHandler } from '../../application/commands/record-product-view.command';
import { RecordPurchaseHandler } from '../../application/commands/record-purchase.command';
import { RECOMMENDATION_CONFIG, type RecommendationConfig } from '../../config/recommendation.config';

/** Ids are UUIDs in any case; one spelling (lower case) inside. */
const id = z.guid().transform((value) => value.toLowerCase());

// Not strict on purpose: within a version producers may add fields, and an older consumer must accept them.
const orderConfirmed = z.object({
  orderId: id,
  userId: id,
  items: z.array(z.object({ productId: id })),
});
const productViewed = z.object({
  userId: id.nullable(),
  productId: id,
});

/** The consumer group of this service, behind the optional prefix that specs use. */
export const recommendationConsumerGroup = (config: Pick<RecommendationConfig, 'RECOMMENDATION_CONSUMER_GROUP_PREFIX'>): string =>
  `${config.RECOMMENDATION_CONSUMER_GROUP_PREFIX}${CONSUMER_GROUPS.recommendation}`;

@Injectable()
export class RecommendationConsumer implements OnModuleInit {
  constructor(
    private readonly consumers: KafkaConsumers,
    @Inject(RECOMMENDATION_CONFIG) private readonly config: RecommendationConfig,
    private readonly recordPurchase: RecordPurchaseHandler,
    private readonly recordProductView: RecordProductViewHandler,
  ) {}

  onModuleInit(): void {
    this.consumers.subscribe({
      groupId: recommendationConsumerGroup(this.config),
      topics: [TOPICS.orders, TOPICS.userActivity],
      handle: (message) => this.dispatch(message),
    });
  }

  /** One case per event this model learns from; every other event on these topics is none of its business. */
  async dispatch(message: Envelope): Promise<void> {
    switch (message.type) {
      case ORDER_CONFIRMED_V1: {
        const data = parseOrThrow(orderConfirmed, message.data, `${message.type} data`);
        await this.recordPurchase.execute({ message: sourceOf(message), ...data });
        return;
      }
      case PRODUCT_VIEWED_V1: {
        const data = parseOrThrow(productViewed, message.data, `${message.type} data`);
        await this.recordProductView.execute({ message: sourceOf(message), ...data });
        return;
      }
      default:
        return;
    }
  }
}

function sourceOf(message: Envelope): { id: string; type: string } {
  return { id: parseOrThrow(id, message.id, 'message id'), type: message.type };
}
