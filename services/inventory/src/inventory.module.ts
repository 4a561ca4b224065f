import { type DynamicModule, Module } from '@nestjs/common';
import { DatabaseModule, PlatformModule, type Logger } from '@shop/platform';
import { KafkaModule } from '@shop/messaging';
import { type InventoryConfig } from './config/inventory.config';
import { inventoryDatabase } from './infrastructure/persistence/database';

/** Wiring only: which adapters the inventory service is made of. */
@Module({})
export class InventoryModule {
  static register(config: InventoryConfig, logger: Logger): DynamicModule {
    return {
      module: InventoryModule,
      imports: [
        PlatformModule.forRoot({ service: 'inventory', logger }),
        DatabaseModule.forRoot(inventoryDatabase(config.INVENTORY_DATABASE_URL)),
        KafkaModule.forRoot({ clientId: 'inventory', brokers: config.KAFKA_BROKERS }),
      ],
    };
  }
}
