import { DataSource, type EntityManager } from 'typeorm';
import { type OrderLookup, type OrderPaymentRecord, type OrderPayments } from '../../application/ports/order-payments.port';
import { type PaymentStatus } from '../../domain/wallet';

/**
 * SQL for the transaction-scoped advisory lock of one order id (a text expression). A void and a charge of the
 * same order both take it, so one of them always sees the other's committed row.
 */
export const ORDER_LOCK_KEY = (orderIdText: string): string => `hashtextextended('payment.order:' || (${orderIdText})::uuid::text, 0)`;

interface OrderPaymentRow {
  order_id: string;
  user_id: string;
  status: PaymentStatus;
  amount_cents: string;
}

export class PostgresOrderPayments implements OrderPayments {
  private readonly db: EntityManager;

  /** `db` is the pool, or the EntityManager of a transaction opened by the caller (then the void is a savepoint of it). */
  constructor(db: DataSource | EntityManager) {
    this.db = db instanceof DataSource ? db.manager : db;
  }

  /** One round trip: the order's payment row (if any) and whether a void marker exists. */
  async lookup(orderId: string): Promise<OrderLookup> {
    const rows: (Partial<OrderPaymentRow> & { voided: boolean })[] = await this.db.query(
      `SELECT p.order_id, p.user_id, p.status, p.amount_cents, EXISTS (SELECT 1 FROM voided_orders v WHERE v.order_id = o.id) AS voided
         FROM (SELECT $1::uuid AS id) AS o LEFT JOIN order_payments p ON p.order_id = o.id`,
      [orderId],
    );
    const row = rows[0];
    return { payment: row?.order_id ? toRecord(row as OrderPaymentRow) : undefined, voided: row?.voided ?? false };
  }

  voidUnlessKnown(orderId: string): Promise<OrderPaymentRecord | undefined> {
    return this.db.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(${ORDER_LOCK_KEY('$1::text')})`, [orderId]);
      const known = await findOrder(tx, orderId);
      if (known) return known;
      await tx.query(`INSERT INTO voided_orders (order_id) VALUES ($1) ON CONFLICT (order_id) DO NOTHING`, [orderId]);
      return undefined;
    });
  }
}

async function findOrder(db: Pick<DataSource | EntityManager, 'query'>, orderId: string): Promise<OrderPaymentRecord | undefined> {
  const rows: OrderPaymentRow[] = await db.query(
    `SELECT order_id, user_id, status, amount_cents FROM order_payments WHERE order_id = $1`,
    [orderId],
  );
  return rows[0] && toRecord(rows[0]);
}

function toRecord(row: OrderPaymentRow): OrderPaymentRecord {
  return { orderId: row.order_id, userId: row.user_id, status: row.status, amountCents: Number(row.amount_cents) };
}
