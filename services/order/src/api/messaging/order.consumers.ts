/**
 * order's Kafka consumer groups (docs/patterns/05-publish-subscribe.md): the read model projection reads order.*
 * facts; the saga group reads inventory, payment and shipping replies. Thin: each message goes to one handler.
 */
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { CONSUMER_GROUPS, TOPICS } from '@shop/contracts';
import { handleOnce, KafkaConsumers } from '@shop/messaging';
import { DataSource } from 'typeorm';
import { ORDER_CONFIG, type OrderConfig } from '../../config/order.config';
import { OrderSagaEventHandlers } from '../../application/event-handlers/order-saga.event-handlers';
import { projectOrderEvent } from '../../infrastructure/projections/order-read-model.projection';

@Injectable()
export class OrderConsumers implements OnModuleInit {
  constructor(
    private readonly consumers: KafkaConsumers,
    private readonly dataSource: DataSource,
    private readonly sagaHandlers: OrderSagaEventHandlers,
    @Inject(ORDER_CONFIG) private readonly config: OrderConfig,
  ) {}

  onModuleInit(): void {
    const readModel = `${this.config.ORDER_CONSUMER_GROUP_PREFIX}${CONSUMER_GROUPS.orderReadModel}`;
    const saga = `${this.config.ORDER_CONSUMER_GROUP_PREFIX}${CONSUMER_GROUPS.orderSaga}`;
    this.consumers.subscribe({
      groupId: readModel,
      topics: [TOPICS.orders],
      handle: (message) => handleOnce(this.dataSource, readModel, message, (manager) => projectOrderEvent(manager, message)).then(() => undefined),
    });
    this.consumers.subscribe({
      groupId: saga,
      topics: [TOPICS.inventory, TOPICS.payments, TOPICS.shipping],
      handle: (message) => this.sagaHandlers.handle(message, saga),
    });
  }
}
