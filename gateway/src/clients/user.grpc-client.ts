import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { userV1 } from '@shop/contracts';
import { createGrpcClient } from '@shop/platform';
import { DependencyPolicies } from '@shop/resilience';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { type GrpcCallOptions, GrpcUpstream } from './upstream-grpc';
import { upstreamPolicy } from './upstream-policies';

export interface Profile {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly createdAt: string;
}

/** user.v1 GetUser, for the dashboard's profile. */
@Injectable()
export class UserGrpcClient implements OnApplicationShutdown {
  private readonly grpc: GrpcUpstream<userV1.UserServiceClient>;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig, policies: DependencyPolicies) {
    const client = createGrpcClient(userV1.UserServiceClient, config.USER_GRPC_ADDRESS);
    this.grpc = new GrpcUpstream('user', client, upstreamPolicy(policies, 'user', config), config.GATEWAY_UPSTREAM_TIMEOUT_MS);
  }

  async getUser(userId: string, options: GrpcCallOptions): Promise<Profile> {
    const user = await this.grpc.read(this.grpc.client.getUser, { userId }, options);
    return { id: user.id, email: user.email, name: user.name, createdAt: user.createdAt };
  }

  onApplicationShutdown(): void {
    this.grpc.close();
  }
}
