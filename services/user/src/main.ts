import '@shop/platform/telemetry';
import 'reflect-metadata';
import { grpcServerOf } from '@shop/contracts';
import { createLogger, runService, startService } from '@shop/platform';
import { loadUserConfig } from './config/user.config';
import { UserModule } from './user.module';

void runService('user', async () => {
  const config = loadUserConfig();
  const logger = createLogger('user', config.LOG_LEVEL);
  await startService({
    service: 'user',
    logger,
    module: UserModule.register(config, logger),
    httpPort: config.USER_HTTP_PORT,
    grpc: grpcServerOf('user', `0.0.0.0:${config.USER_GRPC_PORT}`),
  });
});
