import '@shop/platform/telemetry';
import 'reflect-metadata';
import { grpcServerOf } from '@shop/contracts';
import { createLogger, runService, startService } from '@shop/platform';
import { loadInventoryConfig } from './config/inventory.config';
import { InventoryModule } from './inventory.module';

void runService('inventory', async () => {
  const config = loadInventoryConfig();
  const logger = createLogger('inventory', config.LOG_LEVEL);
  await startService({
    service: 'inventory',
    logger,
    module: InventoryModule.register(config, logger),
    httpPort: config.INVENTORY_HTTP_PORT,
    grpc: grpcServerOf('inventory', `0.0.0.0:${config.INVENTORY_GRPC_PORT}`),
  });
});
