import { type DynamicModule, Module } from '@nestjs/common';
import { ChaosModule, DatabaseModule, PlatformModule, type Logger } from '@shop/platform';
import { InboxModule, KafkaConsumers, KafkaModule, OutboxModule } from '@shop/messaging';
import { DataSource } from 'typeorm';
import { ProductsHttpController } from './api/http/products.http-controller';
import { InventoryGrpcController } from './api/grpc/inventory.grpc-controller';
import { InventorySagaConsumer } from './api/messaging/inventory-saga.consumer';
import { CommitStockHandler } from './application/commands/commit-stock.command';
import { ReleaseStockHandler } from './application/commands/release-stock.command';
import { ReserveStockHandler } from './application/commands/reserve-stock.command';
import { INVENTORY_TRANSACTIONS, type InventoryTransactions } from './application/ports/inventory-transactions.port';
import { PRODUCT_CATALOG } from './application/ports/product-catalog.port';
import { GetProductHandler } from './application/queries/get-product.query';
import { GetProductsByIdHandler } from './application/queries/get-products-by-id.query';
import { ListProductsHandler } from './application/queries/list-products.query';
import { type InventoryConfig } from './config/inventory.config';
import { inventoryDatabase } from './infrastructure/persistence/database';
import { TypeOrmInventoryTransactions } from './infrastructure/persistence/inventory-transactions';
import { CachedProductCatalog } from './infrastructure/persistence/cached-product-catalog';
import { SqlProductCatalog } from './infrastructure/persistence/product-catalog.repository';

/** Wiring only: which adapters the inventory service is made of. */
@Module({})
export class InventoryModule {
  static register(config: InventoryConfig, logger: Logger): DynamicModule {
    return {
      module: InventoryModule,
      imports: [
        PlatformModule.forRoot({ service: 'inventory', logger }),
        ChaosModule.forRoot(config.CHAOS_ENABLED),
        DatabaseModule.forRoot(inventoryDatabase(config.INVENTORY_DATABASE_URL)),
        KafkaModule.forRoot({ clientId: 'inventory', brokers: config.KAFKA_BROKERS }),
        InboxModule.forRoot({ service: 'inventory' }),
        // The relay publishes the outbox rows of the saga consumer (inventory.reserved/rejected/released.v1).
        OutboxModule.forRoot({ service: 'inventory', kafka: true }),
      ],
      controllers: [ProductsHttpController, InventoryGrpcController],
      providers: [
        SqlProductCatalog,
        // Reads from memory, refreshed by NOTIFY products_changed and by this process's own commits.
        {
          provide: PRODUCT_CATALOG,
          inject: [SqlProductCatalog],
          useFactory: (source: SqlProductCatalog) => new CachedProductCatalog(source, config.INVENTORY_DATABASE_URL),
        },
        {
          provide: INVENTORY_TRANSACTIONS,
          inject: [DataSource, PRODUCT_CATALOG],
          useFactory: (dataSource: DataSource, catalog: CachedProductCatalog) => new TypeOrmInventoryTransactions(dataSource, (changed) => catalog.invalidate(changed)),
        },
        ReserveStockHandler,
        ReleaseStockHandler,
        CommitStockHandler,
        ListProductsHandler,
        GetProductHandler,
        GetProductsByIdHandler,
        {
          provide: InventorySagaConsumer,
          inject: [KafkaConsumers, DataSource, INVENTORY_TRANSACTIONS],
          useFactory: (consumers: KafkaConsumers, dataSource: DataSource, transactions: InventoryTransactions) =>
            new InventorySagaConsumer(consumers, dataSource, transactions, config.INVENTORY_CONSUMER_GROUP_PREFIX),
        },
      ],
    };
  }
}
