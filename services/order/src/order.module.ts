import { type DynamicModule, Module } from '@nestjs/common';
import { DatabaseModule, PlatformModule, type Logger } from '@shop/platform';
import { KafkaModule, RabbitMqModule } from '@shop/messaging';
import { type OrderConfig } from './config/order.config';
import { orderDatabase } from './infrastructure/persistence/database';

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
        RabbitMqModule.forRoot({ url: config.RABBITMQ_URL }),
      ],
    };
  }
}
