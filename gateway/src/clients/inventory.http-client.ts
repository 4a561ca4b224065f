import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { DependencyPolicies } from '@shop/resilience';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { upstreamPolicy } from './upstream-policies';
import { type CallContext, UpstreamHttp, type UpstreamResponse } from './upstream-http';

/** The inventory service's catalog API. */
@Injectable()
export class InventoryHttpClient implements OnApplicationShutdown {
  private readonly http: UpstreamHttp;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig, policies: DependencyPolicies) {
    this.http = new UpstreamHttp({
      name: 'inventory',
      baseUrl: config.INVENTORY_HTTP_URL,
      policy: upstreamPolicy(policies, 'inventory', config),
      timeoutMs: config.GATEWAY_UPSTREAM_TIMEOUT_MS,
    });
  }

  listProducts(context: CallContext): Promise<UpstreamResponse> {
    return this.http.get('/products', context);
  }

  getProduct(productId: string, context: CallContext): Promise<UpstreamResponse> {
    return this.http.get(`/products/${encodeURIComponent(productId)}`, context);
  }

  onApplicationShutdown(): Promise<void> {
    return this.http.close();
  }
}
