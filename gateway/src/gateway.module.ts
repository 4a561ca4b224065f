import { type DynamicModule, Module } from '@nestjs/common';
import { KafkaModule } from '@shop/messaging';
import { PlatformModule, type Logger } from '@shop/platform';
import { ResilienceModule } from '@shop/resilience';
import { JwtVerifier, readPublicKeyPem } from './auth/jwt-verifier';
import { InventoryHttpClient } from './clients/inventory.http-client';
import { OrderGrpcClient } from './clients/order.grpc-client';
import { OrderHttpClient } from './clients/order.http-client';
import { PaymentGrpcClient } from './clients/payment.grpc-client';
import { ProductViewRecorder } from './clients/product-view.publisher';
import { RecommendationGrpcClient } from './clients/recommendation.grpc-client';
import { UserGrpcClient } from './clients/user.grpc-client';
import { UserHttpClient } from './clients/user.http-client';
import { DashboardComposer } from './composition/dashboard.composer';
import { PopularProducts } from './composition/popular-products';
import { RecommendationsWithFallback } from './composition/recommendations-with-fallback';
import { GATEWAY_CONFIG, type GatewayConfig } from './config/gateway.config';
import { PublicApi } from './routes/public-api';

/** Wiring only: the gateway is the single public entry of the shop. */
@Module({})
export class GatewayModule {
  static register(config: GatewayConfig, logger: Logger): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        PlatformModule.forRoot({ service: 'gateway', logger }),
        ResilienceModule.forRoot(),
        KafkaModule.forRoot({ clientId: 'gateway', brokers: config.KAFKA_BROKERS }),
      ],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        {
          provide: JwtVerifier,
          useFactory: () => JwtVerifier.create({ publicKeyPem: readPublicKeyPem(config), issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE }),
        },
        UserHttpClient,
        InventoryHttpClient,
        OrderHttpClient,
        UserGrpcClient,
        OrderGrpcClient,
        PaymentGrpcClient,
        RecommendationGrpcClient,
        ProductViewRecorder,
        PopularProducts,
        RecommendationsWithFallback,
        DashboardComposer,
        PublicApi,
      ],
    };
  }
}
