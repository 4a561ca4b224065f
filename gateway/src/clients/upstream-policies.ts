import { type DependencyPolicies, type DependencyPolicy } from '@shop/resilience';
import { type GatewayConfig } from '../config/gateway.config';

export type Upstream = 'user' | 'order' | 'inventory' | 'payment' | 'recommendation';

/**
 * Circuit breaker pattern (docs/patterns/03-circuit-breaker.md): one policy, so one breaker, per upstream
 * service, shared by its REST and gRPC clients. One attempt per policy run: reads add their single retry
 * around it (read-retry.ts), writes never do.
 */
export function upstreamPolicy(policies: DependencyPolicies, upstream: Upstream, config: GatewayConfig): DependencyPolicy {
  return policies.for(upstream, {
    timeoutMs: config.GATEWAY_UPSTREAM_TIMEOUT_MS,
    maxAttempts: 1,
    breakerThreshold: config.GATEWAY_BREAKER_THRESHOLD,
    halfOpenAfterMs: config.GATEWAY_BREAKER_HALF_OPEN_AFTER_MS,
  });
}
