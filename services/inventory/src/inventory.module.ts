import { type DynamicModule, Module } from '@nestjs/common';
import { DatabaseModule, PlatformModule, type Logger } from '@shop/platform';
import { KafkaModule } from '@shop/messaging';
import { ProductsHttpController } from './api/http/products.http-controller';
import { InventoryGrpcController } from './api/grpc/inventory.grpc-controller';
import { CommitStockHandler } from './application/commands/commit-stock.command';
import { ReleaseStockHandler } from './application/commands/release-stock.command';
import { ReserveStockHandler } from './application/commands/reserve-stock.command';
import { INVENTORY_TRANSACTIONS } from './application/ports/inventory-transactions.port';
import { PRODUCT_CATALOG } from './application/ports/product-catalog.port';
import { GetProductHandler } from './application/queries/get-product.query';
import { GetProductsByIdHandler } from './application/queries/get-products-by-id.query';
import { ListProductsHandler } from './application/queries/list-products.query';
import { type InventoryConfig } from './config/inventory.config';
import { inventoryDatabase } from './infrastructure/persistence/database';
import { TypeOrmInventoryTransactions } from './infrastructure/persistence/inventory-transactions';
import { SqlProductCatalog } from './infrastructure/persistence/product-catalog.repository';

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
      controllers: [ProductsHttpController, InventoryGrpcController],
      providers: [
        { provide: INVENTORY_TRANSACTIONS, useClass: TypeOrmInventoryTransactions },
        { provide: PRODUCT_CATALOG, useClass: SqlProductCatalog },
        ReserveStockHandler,
        ReleaseStockHandler,
        CommitStockHandler,
        ListProductsHandler,
        GetProductHandler,
        GetProductsByIdHandler,
      ],
    };
  }
}
