import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { DatabaseModule, PlatformModule, type Logger } from '@shop/platform';
import { InboxModule, KafkaModule, OutboxModule } from '@shop/messaging';
import { ResilienceModule } from '@shop/resilience';
import { ChangeOrderStatusHandler } from './application/commands/change-order-status.command';
import { PlaceOrderHandler } from './application/commands/place-order.command';
import { OrderSagaEventHandlers } from './application/event-handlers/order-saga.event-handlers';
import { InventoryPort } from './application/ports/inventory.port';
import { PaymentPort } from './application/ports/payment.port';
import { GetOrderHandler } from './application/queries/get-order.query';
import { ListOrdersHandler } from './application/queries/list-orders.query';
import { SalesByProductHandler } from './application/queries/sales-by-product.query';
import { ChoreographyDeadlineWatcher } from './application/sagas/choreography-deadline';
import { SagaRunner } from './application/sagas/saga-runner';
import { OrderGrpcController } from './api/grpc/order.grpc-controller';
import { OrdersHttpController } from './api/http/orders.http-controller';
import { OrderConsumers } from './api/messaging/order.consumers';
import { ORDER_CONFIG, type OrderConfig } from './config/order.config';
import { InventoryGrpcClient } from './infrastructure/clients/inventory.grpc-client';
import { PaymentGrpcClient } from './infrastructure/clients/payment.grpc-client';
import { orderDatabase } from './infrastructure/persistence/database';
import { IdempotencyRepository } from './infrastructure/persistence/idempotency.repository';
import { OrderRepository } from './infrastructure/persistence/order.repository';
import { SagaRepository } from './infrastructure/persistence/saga.repository';

/** Wiring only: which adapters the order service is made of. */
@Module({})
export class OrderModule {
  static register(config: OrderConfig, logger: Logger): DynamicModule {
    return {
      module: OrderModule,
      imports: [
        PlatformModule.forRoot({ service: 'order', logger }),
        DatabaseModule.forRoot(orderDatabase(config.ORDER_DATABASE_URL)),
        KafkaModule.forRoot({ clientId: 'order', brokers: config.KAFKA_BROKERS }),
        InboxModule.forRoot({ service: 'order' }),
        OutboxModule.forRoot({ service: 'order', kafka: true }),
        ResilienceModule.forRoot(),
        CqrsModule.forRoot(),
      ],
      controllers: [OrdersHttpController, OrderGrpcController],
      providers: [
        { provide: ORDER_CONFIG, useValue: config },
        { provide: InventoryPort, useClass: InventoryGrpcClient },
        { provide: PaymentPort, useClass: PaymentGrpcClient },
        OrderRepository,
        IdempotencyRepository,
        SagaRepository,
        PlaceOrderHandler,
        ChangeOrderStatusHandler,
        GetOrderHandler,
        ListOrdersHandler,
        SalesByProductHandler,
        SagaRunner,
        ChoreographyDeadlineWatcher,
        OrderSagaEventHandlers,
        OrderConsumers,
      ],
    };
  }
}
