/**
 * Saga participant (docs/patterns/07-saga.md): Reserve is the stock step of the order saga. It is idempotent
 * per order id — the reservation row is claimed first, so a retried or redelivered Reserve answers with the
 * stored outcome and never takes stock twice.
 */
import { Inject, Injectable } from '@nestjs/common';
import {
  firstReserveOutcome,
  repeatedReserveOutcome,
  reservationLines,
  type ReservationLine,
  type ReservationOutcome,
} from '../../domain/reservation';
import { INVENTORY_TRANSACTIONS, type InventoryTransaction, type InventoryTransactions } from '../ports/inventory-transactions.port';

export interface ReserveStockCommand {
  readonly orderId: string;
  readonly items: readonly ReservationLine[];
}

export interface ReserveStockResult extends ReservationOutcome {
  readonly orderId: string;
}

/**
 * The whole Reserve inside the caller's transaction: claim the order id, then take every line or none
 * (in product-id order, so concurrent reservations cannot deadlock), then record the outcome.
 */
export async function reserveStock(tx: InventoryTransaction, command: ReserveStockCommand): Promise<ReserveStockResult> {
  const { orderId } = command;
  const lines = reservationLines(command.items);
  const claimed = await tx.reservations.insertIfAbsent(orderId, { status: 'RESERVED', unavailableProductIds: [] });
  if (!claimed) {
    const current = await tx.reservations.lock(orderId);
    if (!current) throw new Error(`Reservation of order ${orderId} vanished while it was being read`);
    return { orderId, ...repeatedReserveOutcome(current) };
  }
  const outcome = firstReserveOutcome(await tx.stock.takeAllOrNothing(lines));
  if (outcome.status === 'RESERVED') await tx.reservations.addLines(orderId, lines);
  else await tx.reservations.setOutcome(orderId, outcome);
  return { orderId, ...outcome };
}

@Injectable()
export class ReserveStockHandler {
  constructor(@Inject(INVENTORY_TRANSACTIONS) private readonly transactions: InventoryTransactions) {}

  execute(command: ReserveStockCommand): Promise<ReserveStockResult> {
    return this.transactions.run((tx) => reserveStock(tx, command));
  }
}
