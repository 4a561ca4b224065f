import { type DynamicModule, Module } from '@nestjs/common';
import { DatabaseModule, PlatformModule, type Logger } from '@shop/platform';
import { InboxModule, KafkaModule } from '@shop/messaging';
import { RecommendationGrpcController } from './api/grpc/recommendation.grpc-controller';
import { PopularProductsHttpController } from './api/http/popular-products.http-controller';
import { RecommendationConsumer } from './api/messaging/recommendation.consumer';
import { RecordProductViewHandler } from './application/commands/record-product-view.command';
import { RecordPurchaseHandler } from './application/commands/record-purchase.command';
import { RECOMMENDATION_MODEL_WRITER } from './application/ports/recommendation-model.port';
import { RECOMMENDATION_READS } from './application/ports/recommendation-reads.port';
import { GetPopularProductsHandler } from './application/queries/get-popular-products.query';
import { GetRecommendationsHandler } from './application/queries/get-recommendations.query';
import { RECOMMENDATION_CONFIG, type RecommendationConfig } from './config/recommendation.config';
import { recommendationDatabase } from './infrastructure/persistence/database';
import { PostgresRecommendationModel } from './infrastructure/persistence/recommendation-model.repository';
import { PostgresRecommendationReads } from './infrastructure/persistence/recommendation-reads.repository';

/** Wiring only: which adapters the recommendation service is made of. */
@Module({})
export class RecommendationModule {
  static register(config: RecommendationConfig, logger: Logger): DynamicModule {
    return {
      module: RecommendationModule,
      imports: [
        PlatformModule.forRoot({ service: 'recommendation', logger }),
        DatabaseModule.forRoot(recommendationDatabase(config.RECOMMENDATION_DATABASE_URL)),
        KafkaModule.forRoot({ clientId: 'recommendation', brokers: config.KAFKA_BROKERS, logger }),
        InboxModule.forRoot({ service: 'recommendation' }),
      ],
      controllers: [RecommendationGrpcController, PopularProductsHttpController],
      providers: [
        { provide: RECOMMENDATION_CONFIG, useValue: config },
        { provide: RECOMMENDATION_MODEL_WRITER, useClass: PostgresRecommendationModel },
        { provide: RECOMMENDATION_READS, useClass: PostgresRecommendationReads },
        RecordPurchaseHandler,
        RecordProductViewHandler,
        GetRecommendationsHandler,
        GetPopularProductsHandler,
        RecommendationConsumer,
      ],
    };
  }
}
