import '@shop/platform/telemetry';
import 'reflect-metadata';
import { grpcServerOf } from '@shop/contracts';
import { createLogger, runService, startService } from '@shop/platform';
import { loadPaymentConfig } from './config/payment.config';
import { PaymentModule } from './payment.module';

void runService('payment', async () => {
  const config = loadPaymentConfig();
  const logger = createLogger('payment', config.LOG_LEVEL);
  await startService({
    service: 'payment',
    logger,
    module: PaymentModule.register(config, logger),
    httpPort: config.PAYMENT_HTTP_PORT,
    grpc: grpcServerOf('payment', `0.0.0.0:${config.PAYMENT_GRPC_PORT}`),
  });
});
