/**
 * order -> inventory over gRPC (docs/patterns/02-request-response.md), behind the inventory breaker
 * (docs/patterns/03-circuit-breaker.md): a per-attempt deadline, one retry on UNAVAILABLE (every call is idempotent
 * per order id), and fail-fast while inventory is down.
 */
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { inventoryV1 } from '@shop/contracts';
import { callUnary, createGrpcClient } from '@shop/platform';
import { DependencyPolicies, type DependencyPolicy } from '@shop/resilience';
import { ORDER_CONFIG, type OrderConfig } from '../../config/order.config';
import { type CatalogPrice, type OrderLine } from '../../domain/order';
import { InventoryPort, type ReservationOutcome } from '../../application/ports/inventory.port';

@Injectable()
export class InventoryGrpcClient extends InventoryPort implements OnApplicationShutdown {
  private readonly client: inventoryV1.InventoryServiceClient;
  private readonly policy: DependencyPolicy;

  constructor(@Inject(ORDER_CONFIG) config: OrderConfig, policies: DependencyPolicies) {
    super();
    this.client = createGrpcClient(inventoryV1.InventoryServiceClient, config.INVENTORY_GRPC_ADDRESS);
    this.policy = policies.for('inventory', {
      timeoutMs: config.ORDER_DEPENDENCY_TIMEOUT_MS,
      maxAttempts: 2,
      breakerThreshold: 5,
      halfOpenAfterMs: config.ORDER_BREAKER_HALF_OPEN_MS,
    });
  }

  async prices(productIds: readonly string[], requestId?: string): Promise<CatalogPrice[]> {
    const reply = await this.call(this.client.getProducts, { productIds: [...productIds] }, requestId);
    return reply.products.map((p) => ({ productId: p.id, name: p.name, priceCents: p.priceCents }));
  }

  async reserve(orderId: string, lines: readonly OrderLine[]): Promise<ReservationOutcome> {
    const reply = await this.call(this.client.reserve, { orderId, items: lines.map((l) => ({ productId: l.productId, quantity: l.quantity })) });
    return reply.status === inventoryV1.ReservationStatus.RESERVATION_STATUS_RESERVED ? 'RESERVED' : 'REJECTED';
  }

  async release(orderId: string): Promise<void> {
    await this.call(this.client.release, { orderId });
  }

  onApplicationShutdown(): void {
    this.client.close();
  }

  private call<Req, Res>(method: Parameters<typeof callUnary<Req, Res>>[2], request: Req, requestId?: string): Promise<Res> {
    return this.policy.execute((signal) =>
      callUnary('inventory', this.client, method, request, { deadlineMs: this.policy.options.timeoutMs, signal, requestId }),
    );
  }
}
