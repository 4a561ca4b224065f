import { type EntityManager } from 'typeorm';
import { type ReservationLine, type ReservationOutcome, type ReservationState, type ReservationStatus } from '../../domain/reservation';
import { type ReservationRepository } from '../../application/ports/inventory-transactions.port';

interface ReservationRow {
  status: ReservationStatus;
  unavailable_product_ids: string[];
  held_stock: boolean;
}

interface LineRow {
  product_id: string;
  quantity: number;
}

/** Reservations with raw SQL inside the transaction of `manager`. */
export class SqlReservationRepository implements ReservationRepository {
  constructor(private readonly manager: EntityManager) {}

  /** `ON CONFLICT DO NOTHING` waits for a concurrent insert of the same order id, so exactly one claim wins. */
  async insertIfAbsent(orderId: string, outcome: ReservationOutcome): Promise<boolean> {
    const inserted: unknown[] = await this.manager.query(
      `INSERT INTO reservations (order_id, status, unavailable_product_ids) VALUES ($1, $2, $3::uuid[])
       ON CONFLICT (order_id) DO NOTHING RETURNING order_id`,
      [orderId, outcome.status, outcome.unavailableProductIds],
    );
    return inserted.length === 1;
  }

  async lock(orderId: string): Promise<ReservationState | undefined> {
    const rows: ReservationRow[] = await this.manager.query(
      `SELECT r.status, r.unavailable_product_ids::text[] AS unavailable_product_ids,
              EXISTS (SELECT 1 FROM reservation_items i WHERE i.order_id = r.order_id) AS held_stock
         FROM reservations r WHERE r.order_id = $1 FOR UPDATE OF r`,
      [orderId],
    );
    const row = rows[0];
    return row && { status: row.status, unavailableProductIds: row.unavailable_product_ids, heldStock: row.held_stock };
  }

  async lines(orderId: string): Promise<ReservationLine[]> {
    const rows: LineRow[] = await this.manager.query(
      'SELECT product_id::text AS product_id, quantity FROM reservation_items WHERE order_id = $1 ORDER BY product_id',
      [orderId],
    );
    return rows.map((row) => ({ productId: row.product_id, quantity: row.quantity }));
  }

  async addLines(orderId: string, lines: readonly ReservationLine[]): Promise<void> {
    await this.manager.query(
      `INSERT INTO reservation_items (order_id, product_id, quantity)
       SELECT $1, line.product_id, line.quantity FROM unnest($2::uuid[], $3::integer[]) AS line (product_id, quantity)`,
      [orderId, lines.map((line) => line.productId), lines.map((line) => line.quantity)],
    );
  }

  async setOutcome(orderId: string, outcome: ReservationOutcome): Promise<void> {
    await this.manager.query(
      'UPDATE reservations SET status = $2, unavailable_product_ids = $3::uuid[], updated_at = now() WHERE order_id = $1',
      [orderId, outcome.status, outcome.unavailableProductIds],
    );
  }

  async setStatus(orderId: string, status: ReservationStatus): Promise<void> {
    await this.manager.query('UPDATE reservations SET status = $2, updated_at = now() WHERE order_id = $1', [orderId, status]);
  }
}
