import '@shop/platform/telemetry';
import 'reflect-metadata';
import { createLogger, runService, startService } from '@shop/platform';
import { loadShippingConfig } from './config/shipping.config';
import { ShippingWorkerModule } from './shipping-worker.module';

/**
 * `node dist/worker.js`: one competing shipping worker. Start as many as needed, each with its own
 * SHIPPING_WORKER_HTTP_PORT (health, readiness, metrics); RabbitMQ hands each task to exactly one of them.
 */
void runService('shipping-worker', async () => {
  const config = loadShippingConfig();
  const logger = createLogger('shipping-worker', config.LOG_LEVEL);
  await startService({
    service: 'shipping-worker',
    logger,
    module: ShippingWorkerModule.register(config, logger),
    httpPort: config.SHIPPING_WORKER_HTTP_PORT,
  });
});
