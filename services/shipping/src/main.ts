import '@shop/platform/telemetry';
import 'reflect-metadata';
import { createLogger, runService, startService } from '@shop/platform';
import { loadShippingConfig } from './config/shipping.config';
import { ShippingModule } from './shipping.module';

/** `node dist/main.js`: the shipping app (REST, the order-events consumer, the outbox relay). */
void runService('shipping', async () => {
  const config = loadShippingConfig();
  const logger = createLogger('shipping', config.LOG_LEVEL);
  await startService({
    service: 'shipping',
    logger,
    module: ShippingModule.register(config, logger),
    httpPort: config.SHIPPING_HTTP_PORT,
  });
});
