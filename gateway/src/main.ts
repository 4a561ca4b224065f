import 'reflect-metadata';
import { createLogger, runService, startService } from '@shop/platform';
import { loadGatewayConfig } from './config/gateway.config';
import { GatewayModule } from './gateway.module';

void runService('gateway', async () => {
  const config = loadGatewayConfig();
  const logger = createLogger('gateway', config.LOG_LEVEL);
  await startService({
    service: 'gateway',
    logger,
    module: GatewayModule.register(config, logger),
    httpPort: config.GATEWAY_HTTP_PORT,
    accessLog: true,
  });
});
