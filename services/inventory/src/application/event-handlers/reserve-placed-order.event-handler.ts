/**
 * Choreography (docs/patterns/09-choreography-vs-orchestration.md): with no orchestrator, inventory takes the saga's
 * first step when an order is placed: it reserves exactly as the gRPC Reserve does (same command, idempotent per
 * order id) and announces the outcome in the same transaction (inventory.reserved.v1 or inventory.rejected.v1).
 * Orchestrated orders are reserved by the orchestrator over gRPC, so they are not acted on here.
 */
import { type OrderPlacedV1Data } from '@shop/contracts';
import { reserveStock, type ReserveStockResult } from '../commands/reserve-stock.command';
import { type MessageCause } from '../ports/inventory-events.port';
import { type InventoryTransaction } from '../ports/inventory-transactions.port';

export type PlacedOrder = Pick<OrderPlacedV1Data, 'orderId' | 'userId' | 'items' | 'totalCents' | 'sagaStyle'>;

/** Reserves a choreographed order's stock and announces the outcome; answers undefined for an orchestrated order. */
export async function reservePlacedOrder(tx: InventoryTransaction, order: PlacedOrder, cause: MessageCause): Promise<ReserveStockResult | undefined> {
  if (order.sagaStyle !== 'choreography') return undefined;
  const { orderId, userId, items, totalCents, sagaStyle } = order;
  const result = await reserveStock(tx, { orderId, items });
  // The answer to this message: stock is held for the order (RESERVED, or COMMITTED already), or it is not
  // (REJECTED, or RELEASED: a cancellation came first and left a tombstone, or the reservation was undone).
  if (result.status === 'RESERVED' || result.status === 'COMMITTED') {
    await tx.events.reserved({ orderId, userId, totalCents, items, sagaStyle }, cause);
  } else {
    await tx.events.rejected({ orderId, unavailableProductIds: result.unavailableProductIds, sagaStyle }, cause);
  }
  return result;
}
