import { type DynamicModule, Module } from '@nestjs/common';
import { DatabaseModule, PlatformModule, type Logger } from '@shop/platform';
import { KafkaModule } from '@shop/messaging';
import { type RecommendationConfig } from './config/recommendation.config';
import { recommendationDatabase } from './infrastructure/persistence/database';

/** Wiring only: which adapters the recommendation service is made of. */
@Module({})
export class RecommendationModule {
  static register(config: RecommendationConfig, logger: Logger): DynamicModule {
    return {
      module: RecommendationModule,
      imports: [
        PlatformModule.forRoot({ service: 'recommendation', logger }),
        DatabaseModule.forRoot(recommendationDatabase(config.RECOMMENDATION_DATABASE_URL)),
        KafkaModule.forRoot({ clientId: 'recommendation', brokers: config.KAFKA_BROKERS }),
      ],
    };
  }
}
