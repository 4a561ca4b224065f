import { type DynamicModule, Module } from '@nestjs/common';
import { DatabaseModule, PlatformModule, type Logger } from '@shop/platform';
import { KafkaModule } from '@shop/messaging';
import { type PaymentConfig } from './config/payment.config';
import { paymentDatabase } from './infrastructure/persistence/database';

/** Wiring only: which adapters the payment service is made of. */
@Module({})
export class PaymentModule {
  static register(config: PaymentConfig, logger: Logger): DynamicModule {
    return {
      module: PaymentModule,
      imports: [
        PlatformModule.forRoot({ service: 'payment', logger }),
        DatabaseModule.forRoot(paymentDatabase(config.PAYMENT_DATABASE_URL)),
        KafkaModule.forRoot({ clientId: 'payment', brokers: config.KAFKA_BROKERS }),
      ],
    };
  }
}
