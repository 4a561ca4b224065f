import '@shop/platform/telemetry';
import 'reflect-metadata';
import { grpcServerOf } from '@shop/contracts';
import { createLogger, runService, startService } from '@shop/platform';
import { loadRecommendationConfig } from './config/recommendation.config';
import { RecommendationModule } from './recommendation.module';

void runService('recommendation', async () => {
  const config = loadRecommendationConfig();
  const logger = createLogger('recommendation', config.LOG_LEVEL);
  await startService({
    service: 'recommendation',
    logger,
    module: RecommendationModule.register(config, logger),
    httpPort: config.RECOMMENDATION_HTTP_PORT,
    grpc: grpcServerOf('recommendation', `0.0.0.0:${config.RECOMMENDATION_GRPC_PORT}`),
  });
});
