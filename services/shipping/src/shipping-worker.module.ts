import { type DynamicModule, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DatabaseModule, PlatformModule, type Logger } from '@shop/platform';
import { KafkaModule, OutboxModule, RabbitMqModule } from '@shop/messaging';
import { CreateShipmentConsumer } from './api/messaging/create-shipment.consumer';
import { CreateShipmentHandler } from './application/commands/create-shipment.command';
import { SHIPMENT_REPOSITORY } from './application/ports/shipment-repository.port';
import { SHIPPING_CONFIG, type ShippingConfig } from './config/shipping.config';
import { SHIPPING_QUEUE_TOPOLOGY, ShippingQueueDeclaration, shippingQueueTopology } from './infrastructure/messaging/shipping-queue.topology';
import { shippingDatabase } from './infrastructure/persistence/database';
import { SqlShipmentRepository } from './infrastructure/persistence/shipment.repository';

/**
 * Wiring only: one shipping worker process. It competes with the other workers for create-shipment tasks and
 * runs an outbox relay too (the relay's advisory lock lets one process publish at a time), which publishes the
 * shipping.shipped.v1 events it writes. HTTP serves only health and metrics.
 */
@Module({})
export class ShippingWorkerModule {
  static register(config: ShippingConfig, logger: Logger): DynamicModule {
    return {
      module: ShippingWorkerModule,
      imports: [
        PlatformModule.forRoot({ service: 'shipping-worker', logger }),
        DatabaseModule.forRoot(shippingDatabase(config.SHIPPING_DATABASE_URL)),
        KafkaModule.forRoot({ clientId: 'shipping-worker', brokers: config.KAFKA_BROKERS }),
        RabbitMqModule.forRoot({ url: config.RABBITMQ_URL }),
        OutboxModule.forRoot({ service: 'shipping', kafka: true, rabbitmq: true }),
      ],
      providers: [
        { provide: SHIPPING_CONFIG, useValue: config },
        { provide: SHIPPING_QUEUE_TOPOLOGY, useValue: shippingQueueTopology(config.SHIPPING_QUEUE_PREFIX) },
        ShippingQueueDeclaration,
        { provide: SHIPMENT_REPOSITORY, inject: [DataSource], useFactory: (dataSource: DataSource) => new SqlShipmentRepository(dataSource) },
        CreateShipmentHandler,
        CreateShipmentConsumer,
      ],
    };
  }
}
