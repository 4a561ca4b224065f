/**
 * API gateway pattern (docs/patterns/01-api-gateway.md): the shop's public API, the only way in. Every route
 * below is declared through GatewayRoutes (authentication, rate limits, validation, error mapping, docs).
 */
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { type FastifyInstance } from 'fastify';
import { LOGGER, type Logger } from '@shop/platform';
import { JwtVerifier } from '../auth/jwt-verifier';
import { InventoryHttpClient } from '../clients/inventory.http-client';
import { OrderHttpClient } from '../clients/order.http-client';
import { PaymentGrpcClient } from '../clients/payment.grpc-client';
import { ProductViewRecorder } from '../clients/product-view.publisher';
import { UserHttpClient } from '../clients/user.http-client';
import { DashboardComposer } from '../composition/dashboard.composer';
import { RecommendationsWithFallback } from '../composition/recommendations-with-fallback';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { registerOpenApi } from '../docs/openapi';
import { FixedWindowRateLimiter } from '../rate-limit/rate-limiter';
import { registerAuthRoutes } from './auth.routes';
import { registerDashboardRoutes } from './dashboard.routes';
import { GatewayRoutes } from './gateway-route';
import { registerOrderRoutes } from './orders.routes';
import { registerProductRoutes } from './products.routes';
import { registerRecommendationRoutes } from './recommendations.routes';
import { registerWalletRoutes } from './wallet.routes';

const MINUTE_MS = 60_000;

@Injectable()
export class PublicApi implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly verifier: JwtVerifier,
    private readonly users: UserHttpClient,
    private readonly inventory: InventoryHttpClient,
    private readonly orders: OrderHttpClient,
    private readonly payments: PaymentGrpcClient,
    private readonly views: ProductViewRecorder,
    private readonly recommendations: RecommendationsWithFallback,
    private readonly dashboard: DashboardComposer,
  ) {}

  async onModuleInit(): Promise<void> {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    await registerOpenApi(fastify);
    const routes = new GatewayRoutes(fastify, {
      verifier: this.verifier,
      perIp: new FixedWindowRateLimiter({ limit: this.config.GATEWAY_RATE_LIMIT_PER_IP, windowMs: MINUTE_MS }),
      perUser: new FixedWindowRateLimiter({ limit: this.config.GATEWAY_RATE_LIMIT_PER_USER, windowMs: MINUTE_MS }),
      trustProxy: this.config.GATEWAY_TRUST_PROXY,
      logger: this.logger,
    });
    registerAuthRoutes(routes, this.users);
    registerProductRoutes(routes, this.inventory, this.views);
    registerWalletRoutes(routes, this.payments);
    registerOrderRoutes(routes, this.orders);
    registerRecommendationRoutes(routes, this.recommendations);
    registerDashboardRoutes(routes, this.dashboard);
  }
}
