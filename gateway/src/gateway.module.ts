import { type DynamicModule, Module } from '@nestjs/common';
import { PlatformModule, type Logger } from '@shop/platform';
import { KafkaModule } from '@shop/messaging';
import { type GatewayConfig } from './config/gateway.config';

/** Wiring only: the gateway is the single public entry of the shop. */
@Module({})
export class GatewayModule {
  static register(config: GatewayConfig, logger: Logger): DynamicModule {
    return {
      module: GatewayModule,
      imports: [PlatformModule.forRoot({ service: 'gateway', logger }), KafkaModule.forRoot({ clientId: 'gateway', brokers: config.KAFKA_BROKERS })],
    };
  }
}
