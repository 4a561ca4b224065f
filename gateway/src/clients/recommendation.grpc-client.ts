import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { recommendationV1 } from '@shop/contracts';
import { createGrpcClient } from '@shop/platform';
import { DependencyPolicies } from '@shop/resilience';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { type GrpcCallOptions, GrpcUpstream } from './upstream-grpc';
import { upstreamPolicy } from './upstream-policies';

export interface Recommendation {
  readonly productId: string;
  readonly score: number;
}

export interface Recommendations {
  readonly items: Recommendation[];
  /** "co-purchase" (personal) or "popular" (the same for everyone). */
  readonly strategy: string;
}

/** recommendation.v1 GetRecommendations, behind the recommendation breaker; callers add the popular fallback. */
@Injectable()
export class RecommendationGrpcClient implements OnApplicationShutdown {
  private readonly grpc: GrpcUpstream<recommendationV1.RecommendationServiceClient>;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig, policies: DependencyPolicies) {
    const client = createGrpcClient(recommendationV1.RecommendationServiceClient, config.RECOMMENDATION_GRPC_ADDRESS);
    this.grpc = new GrpcUpstream('recommendation', client, upstreamPolicy(policies, 'recommendation', config), config.GATEWAY_UPSTREAM_TIMEOUT_MS);
  }

  async getRecommendations(userId: string, limit: number, options: GrpcCallOptions): Promise<Recommendations> {
    const response = await this.grpc.read(this.grpc.client.getRecommendations, { userId, limit }, options);
    return { items: response.items.map((item) => ({ productId: item.productId, score: item.score })), strategy: response.strategy };
  }

  onApplicationShutdown(): void {
    this.grpc.close();
  }
}
