import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { type CancellationReason, type OrderLine, type OrderStatus, type SagaStyle } from '../../domain/order';

export interface StoredOrder {
  readonly id: string;
  readonly userId: string;
  readonly status: OrderStatus;
  readonly sagaStyle: SagaStyle;
  readonly reason: CancellationReason | null;
  readonly totalCents: number;
  readonly deadlineAt: Date;
  readonly createdAt: Date;
  readonly lines: readonly OrderLine[];
}

/** A choreographed order past its deadline, and whether inventory's reservation had reached order by then. */
export interface OverdueOrder {
  readonly id: string;
  readonly createdAt: Date;
  readonly stockReserved: boolean;
}

interface LineRow {
  product_id: string;
  product_name: string;
  quantity: number;
  unit_price_cents: number;
}

interface OrderRow {
  id: string;
  user_id: string;
  status: OrderStatus;
  saga_style: SagaStyle;
  reason: CancellationReason | null;
  total_cents: string;
  deadline_at: Date;
  created_at: Date;
  lines: LineRow[];
}

/** The order's columns and its lines as one JSON array, so an order is read in one round trip. */
const ORDER_COLUMNS = `id, user_id, status, saga_style, reason, total_cents, deadline_at, created_at,
  (SELECT coalesce(json_agg(json_build_object('product_id', l.product_id, 'product_name', l.product_name,
                                              'quantity', l.quantity, 'unit_price_cents', l.unit_price_cents)
                            ORDER BY l.product_id), '[]'::json)
     FROM order_lines l WHERE l.order_id = orders.id) AS lines`;

/** The write model: orders and their lines. Status changes are compare-and-set, so two racing deciders cannot both win. */
@Injectable()
export class OrderRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(manager: EntityManager, order: Omit<StoredOrder, 'status' | 'reason'>): Promise<void> {
    await manager.query(
      `INSERT INTO orders (id, user_id, status, total_cents, saga_style, deadline_at, created_at, updated_at)
       VALUES ($1, $2, 'PENDING', $3, $4, $5, $6, $6)`,
      [order.id, order.userId, order.totalCents, order.sagaStyle, order.deadlineAt, order.createdAt],
    );
    const values: unknown[] = [];
    const rows = order.lines.map((line, i) => {
      values.push(order.id, line.productId, line.productName, line.quantity, line.unitPriceCents);
      const b = i * 5;
      return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5})`;
    });
    await manager.query(`INSERT INTO order_lines (order_id, product_id, product_name, quantity, unit_price_cents) VALUES ${rows.join(', ')}`, values);
  }

  /** Moves the order from `from` to `to`; returns the order when this call made the change, null when it was not in `from`. */
  async transition(
    manager: EntityManager,
    orderId: string,
    from: OrderStatus,
    to: OrderStatus,
    reason: CancellationReason | null = null,
  ): Promise<StoredOrder | null> {
    const rows: OrderRow[] = await manager.query(
      `UPDATE orders SET status = $3, reason = coalesce($4, reason), updated_at = now()
        WHERE id = $1 AND status = $2
        RETURNING ${ORDER_COLUMNS}`,
      [orderId, from, to, reason],
    );
    // node-postgres returns [rows, count] for UPDATE ... RETURNING through TypeORM's query().
    const updated = (Array.isArray(rows[0]) ? (rows[0] as unknown as OrderRow[]) : rows)[0];
    return updated ? toStoredOrder(updated) : null;
  }

  async find(orderId: string, manager: EntityManager = this.dataSource.manager): Promise<StoredOrder | null> {
    const [row]: OrderRow[] = await manager.query(`SELECT ${ORDER_COLUMNS} FROM orders WHERE id = $1`, [orderId]);
    return row ? toStoredOrder(row) : null;
  }

  /** Choreographed orders still PENDING after their deadline: nobody orchestrates them, so a watcher must. */
  async overduePending(style: SagaStyle, limit: number): Promise<OverdueOrder[]> {
    const rows: Array<{ id: string; created_at: Date; stock_reserved: boolean }> = await this.dataSource.query(
      `SELECT id, created_at, stock_reserved_at IS NOT NULL AS stock_reserved FROM orders
        WHERE status = 'PENDING' AND saga_style = $1 AND deadline_at < now() ORDER BY deadline_at LIMIT $2`,
      [style, limit],
    );
    return rows.map((row) => ({ id: row.id, createdAt: row.created_at, stockReserved: row.stock_reserved }));
  }

  /**
   * Choreography: records that inventory reserved the stock of a pending choreographed order. Set once, in one
   * statement, so a redelivered inventory.reserved changes nothing and needs no inbox row.
   */
  async markStockReserved(orderId: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE orders SET stock_reserved_at = now()
        WHERE id = $1 AND saga_style = 'choreography' AND status = 'PENDING' AND stock_reserved_at IS NULL`,
      [orderId],
    );
  }
}

function toStoredOrder(row: OrderRow): StoredOrder {
  return {
    id: row.id,
    userId: row.user_id,
    status: row.status,
    sagaStyle: row.saga_style,
    reason: row.reason,
    totalCents: Number(row.total_cents),
    deadlineAt: row.deadline_at,
    createdAt: row.created_at,
    lines: row.lines.map((l) => ({ productId: l.product_id, productName: l.product_name, quantity: l.quantity, unitPriceCents: Number(l.unit_price_cents) })),
  };
}
