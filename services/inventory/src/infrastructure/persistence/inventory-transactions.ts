import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { type InventoryTransaction, type InventoryTransactions } from '../../application/ports/inventory-transactions.port';
import { OutboxInventoryEvents } from '../messaging/inventory-events.publisher';
import { SqlReservationRepository } from './reservation.repository';
import { SqlStockRepository } from './stock.repository';

/**
 * One TypeORM transaction (READ COMMITTED) per command; its EntityManager is handed to every repository.
 * `onCommitted` runs after each committed command: the cached catalog of this process drops its snapshot at once,
 * without waiting for the NOTIFY that tells the other replicas.
 */
@Injectable()
export class TypeOrmInventoryTransactions implements InventoryTransactions {
  constructor(
    private readonly dataSource: DataSource,
    private readonly onCommitted: () => void = () => undefined,
  ) {}

  async run<T>(work: (tx: InventoryTransaction) => Promise<T>): Promise<T> {
    const result = await this.dataSource.transaction((manager) => work(this.join(manager)));
    this.onCommitted();
    return result;
  }

  join(manager: EntityManager): InventoryTransaction {
    return {
      manager,
      stock: new SqlStockRepository(manager),
      reservations: new SqlReservationRepository(manager),
      events: new OutboxInventoryEvents(manager),
    };
  }
}
