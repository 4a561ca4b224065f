import { type DynamicModule, Module } from '@nestjs/common';
import { DatabaseModule, PlatformModule, type Logger } from '@shop/platform';
import { KafkaModule, RabbitMqModule } from '@shop/messaging';
import { type ShippingConfig } from './config/shipping.config';
import { shippingDatabase } from './infrastructure/persistence/database';

/** Wiring only: which adapters the shipping service is made of. */
@Module({})
export class ShippingModule {
  static register(config: ShippingConfig, logger: Logger): DynamicModule {
    return {
      module: ShippingModule,
      imports: [
        PlatformModule.forRoot({ service: 'shipping', logger }),
        DatabaseModule.forRoot(shippingDatabase(config.SHIPPING_DATABASE_URL)),
        KafkaModule.forRoot({ clientId: 'shipping', brokers: config.KAFKA_BROKERS }),
        RabbitMqModule.forRoot({ url: config.RABBITMQ_URL }),
      ],
    };
  }
}
