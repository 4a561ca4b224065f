import { type INestApplication } from '@nestjs/common';
import { type Logger, startService } from '@shop/platform';
import { type GatewayConfig } from './config/gateway.config';
import { GatewayModule } from './gateway.module';

/** Starts the gateway as main.ts does; component specs start it in-process the same way. */
export function startGateway(config: GatewayConfig, logger: Logger, host?: string): Promise<INestApplication> {
  return startService({
    service: 'gateway',
    logger,
    module: GatewayModule.register(config, logger),
    httpPort: config.GATEWAY_HTTP_PORT,
    host,
    bodyLimitBytes: config.GATEWAY_BODY_LIMIT_BYTES,
    accessLog: true,
  });
}
