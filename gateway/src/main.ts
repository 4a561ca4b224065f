import '@shop/platform/telemetry';
import 'reflect-metadata';
import { createLogger, runService } from '@shop/platform';
import { loadGatewayConfig } from './config/gateway.config';
import { startGateway } from './gateway.app';

void runService('gateway', async () => {
  const config = loadGatewayConfig();
  await startGateway(config, createLogger('gateway', config.LOG_LEVEL));
});
