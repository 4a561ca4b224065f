import { type EntityManager } from 'typeorm';
import { type ReservationLine } from '../../domain/reservation';
import { type StockRepository } from '../../application/ports/inventory-transactions.port';

/** TypeORM answers an UPDATE through `query()` as `[returnedRows, affectedRowCount]`. */
type UpdateAnswer = [unknown[], number];

/**
 * Stock can never go negative: each UPDATE takes units only `WHERE stock >= quantity` (a concurrent writer of
 * the same row waits, then re-checks that condition on the row it committed), and the `CHECK (stock >= 0)`
 * constraint refuses any write that would still get past it.
 */
export class SqlStockRepository implements StockRepository {
  /** `changed` collects every product whose stock a statement of this repository may have moved. */
  constructor(
    private readonly manager: EntityManager,
    private readonly changed = new Set<string>(),
  ) {}

  async takeAllOrNothing(lines: readonly ReservationLine[]): Promise<string[]> {
    await this.manager.query('SAVEPOINT take_stock');
    const unavailable: string[] = [];
    for (const line of lines) {
      const [, taken] = (await this.manager.query(
        'UPDATE products SET stock = stock - $2 WHERE id = $1 AND stock >= $2',
        [line.productId, line.quantity],
      )) as UpdateAnswer;
      if (taken === 0) unavailable.push(line.productId);
    }
    await this.manager.query(unavailable.length > 0 ? 'ROLLBACK TO SAVEPOINT take_stock' : 'RELEASE SAVEPOINT take_stock');
    // Only stock that moved is refreshed in the cached catalog: a refused order (an unknown or short product) moved none.
    if (unavailable.length === 0) for (const line of lines) this.changed.add(line.productId);
    return unavailable;
  }

  /** One UPDATE per line, in the order given (product-id order), so it locks rows in the same order as Reserve. */
  async giveBack(lines: readonly ReservationLine[]): Promise<void> {
    for (const line of lines) {
      this.changed.add(line.productId);
      await this.manager.query('UPDATE products SET stock = stock + $2 WHERE id = $1', [line.productId, line.quantity]);
    }
  }
}
