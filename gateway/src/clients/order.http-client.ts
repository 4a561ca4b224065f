import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { DependencyPolicies } from '@shop/resilience';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { upstreamPolicy } from './upstream-policies';
import { type CallContext, UpstreamHttp, type UpstreamResponse } from './upstream-http';

export interface PlaceOrder {
  readonly items: readonly { readonly productId: string; readonly quantity: number }[];
  readonly saga?: 'orchestration' | 'choreography';
}

/** The order service's REST API: place an order (command), read one or the caller's list (queries). */
@Injectable()
export class OrderHttpClient implements OnApplicationShutdown {
  private readonly http: UpstreamHttp;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig, policies: DependencyPolicies) {
    this.http = new UpstreamHttp({
      name: 'order',
      baseUrl: config.ORDER_HTTP_URL,
      policy: upstreamPolicy(policies, 'order', config),
      timeoutMs: config.GATEWAY_UPSTREAM_TIMEOUT_MS,
    });
  }

  /** The caller's id travels as x-user-id and the client's Idempotency-Key as idempotency-key (context). */
  placeOrder(order: PlaceOrder, context: CallContext): Promise<UpstreamResponse> {
    return this.http.post('/orders', order, context);
  }

  getOrder(orderId: string, context: CallContext): Promise<UpstreamResponse> {
    return this.http.get(`/orders/${encodeURIComponent(orderId)}`, context);
  }

  listOrders(context: CallContext): Promise<UpstreamResponse> {
    return this.http.get('/orders', context);
  }

  onApplicationShutdown(): Promise<void> {
    return this.http.close();
  }
}
