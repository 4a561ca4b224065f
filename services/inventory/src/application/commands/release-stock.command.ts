/**
 * Saga compensation (docs/patterns/07-saga.md): Release undoes the stock step of a failed or cancelled order.
 * It gives stock back at most once, and a Release that arrives before its Reserve (choreography,
 * docs/patterns/09-choreography-vs-orchestration.md) records a tombstone so that the late Reserve is rejected.
 */
import { Inject, Injectable } from '@nestjs/common';
import { decideRelease, type ReservationStatus } from '../../domain/reservation';
import { INVENTORY_TRANSACTIONS, type InventoryTransaction, type InventoryTransactions } from '../ports/inventory-transactions.port';

export interface ReleaseStockCommand {
  readonly orderId: string;
}

export interface ReleaseStockResult {
  readonly orderId: string;
  readonly status: ReservationStatus;
  /** True when this Release gave held units back (only the first Release of a RESERVED reservation does). */
  readonly stockReturned: boolean;
}

/** The whole Release inside the caller's transaction. */
export async function releaseStock(tx: InventoryTransaction, command: ReleaseStockCommand): Promise<ReleaseStockResult> {
  const { orderId } = command;
  const current = await tx.reservations.lock(orderId);
  const decision = decideRelease(orderId, current?.status);
  switch (decision.kind) {
    case 'unchanged':
      return { orderId, status: decision.status, stockReturned: false };
    case 'return-stock':
      await tx.stock.giveBack(await tx.reservations.lines(orderId));
      await tx.reservations.setStatus(orderId, decision.next);
      return { orderId, status: decision.next, stockReturned: true };
    case 'record-tombstone':
      if (await tx.reservations.insertIfAbsent(orderId, { status: decision.next, unavailableProductIds: [] })) {
        return { orderId, status: decision.next, stockReturned: false };
      }
      // A Reserve of the same order committed between the read and the insert: decide again on what it stored.
      return releaseStock(tx, command);
  }
}

@Injectable()
export class ReleaseStockHandler {
  constructor(@Inject(INVENTORY_TRANSACTIONS) private readonly transactions: InventoryTransactions) {}

  execute(command: ReleaseStockCommand): Promise<ReleaseStockResult> {
    return this.transactions.run((tx) => releaseStock(tx, command));
  }
}
