import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { orderV1 } from '@shop/contracts';
import { createGrpcClient } from '@shop/platform';
import { DependencyPolicies } from '@shop/resilience';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { type GrpcCallOptions, GrpcUpstream } from './upstream-grpc';
import { upstreamPolicy } from './upstream-policies';

export interface OrderSummary {
  readonly id: string;
  readonly status: string;
  readonly totalCents: number;
  readonly createdAt: string;
}

/** order.v1 ListOrders (the order read model), for the dashboard's recent orders. */
@Injectable()
export class OrderGrpcClient implements OnApplicationShutdown {
  private readonly grpc: GrpcUpstream<orderV1.OrderServiceClient>;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig, policies: DependencyPolicies) {
    const client = createGrpcClient(orderV1.OrderServiceClient, config.ORDER_GRPC_ADDRESS);
    this.grpc = new GrpcUpstream('order', client, upstreamPolicy(policies, 'order', config), config.GATEWAY_UPSTREAM_TIMEOUT_MS);
  }

  async listOrders(userId: string, limit: number, options: GrpcCallOptions): Promise<OrderSummary[]> {
    const response = await this.grpc.read(this.grpc.client.listOrders, { userId, limit }, options);
    return response.orders.map((order) => ({ id: order.id, status: order.status, totalCents: order.totalCents, createdAt: order.createdAt }));
  }

  onApplicationShutdown(): void {
    this.grpc.close();
  }
}
