import '@shop/platform/telemetry';
import 'reflect-metadata';
import { grpcServerOf } from '@shop/contracts';
import { createLogger, runService, startService } from '@shop/platform';
import { loadOrderConfig } from './config/order.config';
import { OrderModule } from './order.module';

void runService('order', async () => {
  const config = loadOrderConfig();
  const logger = createLogger('order', config.LOG_LEVEL);
  await startService({
    service: 'order',
    logger,
    module: OrderModule.register(config, logger),
    httpPort: config.ORDER_HTTP_PORT,
    grpc: grpcServerOf('order', `0.0.0.0:${config.ORDER_GRPC_PORT}`),
  });
});
