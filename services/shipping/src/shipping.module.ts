import { type DynamicModule, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DatabaseModule, PlatformModule, type Logger } from '@shop/platform';
import { InboxModule, KafkaModule, OutboxModule, RabbitMqModule } from '@shop/messaging';
import { ShipmentsHttpController } from './api/http/shipments.http-controller';
import { OrderEventsConsumer } from './api/messaging/order-events.consumer';
import { RequestShipmentHandler } from './application/commands/request-shipment.command';
import { SHIPMENT_REPOSITORY } from './application/ports/shipment-repository.port';
import { SHIPMENT_TASKS } from './application/ports/shipment-tasks.port';
import { GetShipmentHandler } from './application/queries/get-shipment.query';
import { SHIPPING_CONFIG, type ShippingConfig } from './config/shipping.config';
import { OutboxShipmentTasks } from './infrastructure/messaging/shipment-tasks.publisher';
import { SHIPPING_QUEUE_TOPOLOGY, ShippingQueueDeclaration, shippingQueueTopology } from './infrastructure/messaging/shipping-queue.topology';
import { shippingDatabase } from './infrastructure/persistence/database';
import { SqlShipmentRepository } from './infrastructure/persistence/shipment.repository';

/**
 * Wiring only: the shipping app. It turns order.confirmed.v1 (Kafka) into create-shipment tasks (RabbitMQ, through
 * the outbox) and answers GET /shipments/:orderId. The shipments themselves are made by the workers (worker.ts).
 */
@Module({})
export class ShippingModule {
  static register(config: ShippingConfig, logger: Logger): DynamicModule {
    return {
      module: ShippingModule,
      imports: [
        PlatformModule.forRoot({ service: 'shipping', logger }),
        DatabaseModule.forRoot(shippingDatabase(config.SHIPPING_DATABASE_URL)),
        KafkaModule.forRoot({ clientId: 'shipping', brokers: config.KAFKA_BROKERS }),
        InboxModule.forRoot({ service: 'shipping' }),
        RabbitMqModule.forRoot({ url: config.RABBITMQ_URL }),
        OutboxModule.forRoot({ service: 'shipping', kafka: true, rabbitmq: true }),
      ],
      controllers: [ShipmentsHttpController],
      providers: [
        { provide: SHIPPING_CONFIG, useValue: config },
        { provide: SHIPPING_QUEUE_TOPOLOGY, useValue: shippingQueueTopology(config.SHIPPING_QUEUE_PREFIX) },
        ShippingQueueDeclaration,
        { provide: SHIPMENT_TASKS, useClass: OutboxShipmentTasks },
        { provide: SHIPMENT_REPOSITORY, inject: [DataSource], useFactory: (dataSource: DataSource) => new SqlShipmentRepository(dataSource) },
        RequestShipmentHandler,
        GetShipmentHandler,
        OrderEventsConsumer,
      ],
    };
  }
}
