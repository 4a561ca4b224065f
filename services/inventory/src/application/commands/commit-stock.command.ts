/**
 * Saga participant (docs/patterns/07-saga.md): Commit is the saga's final stock step once the order is paid:
 * the reserved units are sold and can no longer be released. Idempotent per order id.
 */
import { Inject, Injectable } from '@nestjs/common';
import { decideCommit } from '../../domain/reservation';
import { INVENTORY_TRANSACTIONS, type InventoryTransaction, type InventoryTransactions } from '../ports/inventory-transactions.port';

export interface CommitStockCommand {
  readonly orderId: string;
}

export interface CommitStockResult {
  readonly orderId: string;
  readonly status: 'COMMITTED';
}

/** The whole Commit inside the caller's transaction. Stock was already taken by Reserve; only the status moves. */
export async function commitStock(tx: InventoryTransaction, command: CommitStockCommand): Promise<CommitStockResult> {
  const { orderId } = command;
  const current = await tx.reservations.lock(orderId);
  const decision = decideCommit(orderId, current?.status);
  if (decision.kind === 'commit') await tx.reservations.setStatus(orderId, decision.next);
  return { orderId, status: 'COMMITTED' };
}

@Injectable()
export class CommitStockHandler {
  constructor(@Inject(INVENTORY_TRANSACTIONS) private readonly transactions: InventoryTransactions) {}

  execute(command: CommitStockCommand): Promise<CommitStockResult> {
    return this.transactions.run((tx) => commitStock(tx, command));
  }
}
