import { type DataSource, type EntityManager } from 'typeorm';
import { type OrderPaymentRecord, type OrderPayments } from '../../application/ports/order-payments.port';
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
  constructor(private readonly dataSource: DataSource) {}

  find(orderId: string): Promise<OrderPaymentRecord | undefined> {
    return findOrder(this.dataSource, orderId);
  }

  async isVoided(orderId: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(`SELECT 1 FROM voided_orders WHERE order_id = $1`, [orderId]);
    return rows.length > 0;
  }

  voidUnlessKnown(orderId: string): Promise<OrderPaymentRecord | undefined> {
    return this.dataSource.transaction(async (tx) => {
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
  const row = rows[0];
  return row && { orderId: row.order_id, userId: row.user_id, status: row.status, amountCents: Number(row.amount_cents) };
}
