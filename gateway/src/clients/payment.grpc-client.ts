import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { paymentV1 } from '@shop/contracts';
import { createGrpcClient } from '@shop/platform';
import { DependencyPolicies } from '@shop/resilience';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { type GrpcCallOptions, GrpcUpstream } from './upstream-grpc';
import { upstreamPolicy } from './upstream-policies';

export interface Balance {
  readonly balanceCents: number;
  readonly asOf: string;
}

export interface WalletHistoryEntry {
  readonly version: number;
  readonly type: string;
  readonly occurredAt: string;
  readonly data: unknown;
}

/** payment.v1: deposits into the event-sourced wallet, its balance (now or at a past instant) and its events. */
@Injectable()
export class PaymentGrpcClient implements OnApplicationShutdown {
  private readonly grpc: GrpcUpstream<paymentV1.PaymentServiceClient>;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig, policies: DependencyPolicies) {
    const client = createGrpcClient(paymentV1.PaymentServiceClient, config.PAYMENT_GRPC_ADDRESS);
    this.grpc = new GrpcUpstream('payment', client, upstreamPolicy(policies, 'payment', config), config.GATEWAY_UPSTREAM_TIMEOUT_MS);
  }

  /** `depositId` makes the deposit count once however often it is sent. */
  async deposit(userId: string, amountCents: number, depositId: string, options: GrpcCallOptions): Promise<{ balanceCents: number }> {
    const response = await this.grpc.write(this.grpc.client.deposit, { userId, amountCents, depositId }, options);
    return { balanceCents: response.balanceCents };
  }

  /** `at` empty means now. */
  async getBalance(userId: string, at: string | undefined, options: GrpcCallOptions): Promise<Balance> {
    const response = await this.grpc.read(this.grpc.client.getBalance, { userId, at: at ?? '' }, options);
    return { balanceCents: response.balanceCents, asOf: response.asOf };
  }

  /** A page of the wallet's events, oldest first, with their data parsed from JSON, and whether more follow. */
  async getHistory(
    userId: string,
    page: { readonly afterVersion: number; readonly limit: number },
    options: GrpcCallOptions,
  ): Promise<{ events: WalletHistoryEntry[]; more: boolean }> {
    const response = await this.grpc.read(this.grpc.client.getHistory, { userId, ...page }, options);
    const events = [...response.events]
      .sort((a, b) => a.version - b.version)
      .map((event) => ({ version: event.version, type: event.type, occurredAt: event.occurredAt, data: parseData(event.dataJson) }));
    return { events, more: response.more };
  }

  onApplicationShutdown(): void {
    this.grpc.close();
  }
}

function parseData(json: string): unknown {
  if (!json) return null;
  try {
    return JSON.parse(json);
  } catch {
    return json;
  }
}
