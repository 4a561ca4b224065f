/**
 * Saga compensation in the choreographed saga (docs/patterns/07-saga.md,
 * docs/patterns/09-choreography-vs-orchestration.md): a cancelled order, or a declined payment, releases the
 * order's reservation exactly as the gRPC Release does (idempotent; a release before any reservation leaves a
 * tombstone), and inventory.released.v1 is announced in the same transaction when stock actually moved.
 */
import { releaseStock, type ReleaseStockResult } from '../commands/release-stock.command';
import { type MessageCause } from '../ports/inventory-events.port';
import { type InventoryTransaction } from '../ports/inventory-transactions.port';

export async function releaseFailedOrder(tx: InventoryTransaction, orderId: string, cause: MessageCause): Promise<ReleaseStockResult> {
  const result = await releaseStock(tx, { orderId });
  if (result.stockReturned) await tx.events.released({ orderId }, cause);
  return result;
}
