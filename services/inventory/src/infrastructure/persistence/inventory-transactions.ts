import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { type InventoryTransaction, type InventoryTransactions } from '../../application/ports/inventory-transactions.port';
import { OutboxInventoryEvents } from '../messaging/inventory-events.publisher';
import { SqlReservationRepository } from './reservation.repository';
import { SqlStockRepository } from './stock.repository';

/** One TypeORM transaction (READ COMMITTED) per command; its EntityManager is handed to every repository. */
@Injectable()
export class TypeOrmInventoryTransactions implements InventoryTransactions {
  constructor(private readonly dataSource: DataSource) {}

  run<T>(work: (tx: InventoryTransaction) => Promise<T>): Promise<T> {
    return this.dataSource.transaction((manager) => work(this.join(manager)));
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
