import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { type InventoryTransaction, type InventoryTransactions } from '../../application/ports/inventory-transactions.port';
import { OutboxInventoryEvents } from '../messaging/inventory-events.publisher';
import { SqlReservationRepository } from './reservation.repository';
import { SqlStockRepository } from './stock.repository';

/**
 * One TypeORM transaction (READ COMMITTED) per command; its EntityManager is handed to every repository.
 * `onCommitted` runs after each committed command with the products whose stock it moved: the cached catalog of this
 * process refreshes them at once, without waiting for the NOTIFY that tells the other replicas.
 */
@Injectable()
export class TypeOrmInventoryTransactions implements InventoryTransactions {
  constructor(
    private readonly dataSource: DataSource,
    private readonly onCommitted: (changedProductIds: readonly string[]) => void = () => undefined,
  ) {}

  async run<T>(work: (tx: InventoryTransaction) => Promise<T>): Promise<T> {
    const stock = new Set<string>();
    const result = await this.dataSource.transaction((manager) => work(this.join(manager, stock)));
    this.onCommitted([...stock]);
    return result;
  }

  /** The repositories on one transaction; `changedStock` collects the products whose stock the transaction moved. */
  join(manager: EntityManager, changedStock = new Set<string>()): InventoryTransaction {
    return {
      manager,
      stock: new SqlStockRepository(manager, changedStock),
      reservations: new SqlReservationRepository(manager),
      events: new OutboxInventoryEvents(manager),
    };
  }
}
