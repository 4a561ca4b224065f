/**
 * Event sourcing, read side: `order_payments` maps each order to the wallet that charged (or declined) it and its
 * status, so Refund(orderId) finds the stream to append to. Rebuilt from the events alone by `replay`.
 * See docs/patterns/04-event-sourcing.md.
 */
import { type EntityManager } from 'typeorm';
import { ConcurrencyError, type RecordedEvent } from '../../application/ports/event-store.port';
import { type PaymentStatus } from '../../domain/wallet';
import { decodeWalletEvent, userIdOfWalletStream } from '../../domain/wallet-events';
import { ORDER_LOCK_KEY } from '../persistence/order-payments.repository';
import { type Projection } from './projection';

interface OrderRow {
  orderId: string;
  userId: string;
  status: PaymentStatus;
  amountCents: number;
  declineReason: string | null;
  updatedAt: Date;
  streamId: string;
  version: number;
}

export class OrderPaymentsProjection implements Projection {
  readonly name = 'order_payments';

  async reset(tx: EntityManager): Promise<void> {
    await tx.query(`TRUNCATE order_payments`);
  }

  async apply(tx: EntityManager, events: readonly RecordedEvent[], mode: 'live' | 'replay'): Promise<void> {
    const inserts = new Map<string, OrderRow>();
    const refunds: { orderId: string; at: Date }[] = [];
    for (const event of events) {
      const userId = userIdOfWalletStream(event.streamId);
      if (!userId) continue;
      const walletEvent = decodeWalletEvent(event.type, event.schemaVersion, event.data);
      const base = { userId, updatedAt: event.occurredAt, streamId: event.streamId, version: event.version, declineReason: null };
      switch (walletEvent.type) {
        case 'PaymentCharged':
          inserts.set(walletEvent.data.orderId, { ...base, orderId: walletEvent.data.orderId, status: 'CHARGED', amountCents: walletEvent.data.amountCents });
          break;
        case 'PaymentDeclined':
          inserts.set(walletEvent.data.orderId, {
            ...base,
            orderId: walletEvent.data.orderId,
            status: 'DECLINED',
            amountCents: walletEvent.data.amountCents,
            declineReason: walletEvent.data.reason,
          });
          break;
        case 'PaymentRefunded': {
          const charged = inserts.get(walletEvent.data.orderId);
          if (charged) Object.assign(charged, { status: 'REFUNDED', updatedAt: event.occurredAt });
          else refunds.push({ orderId: walletEvent.data.orderId, at: event.occurredAt });
          break;
        }
        default:
          break;
      }
    }
    if (mode === 'live') await this.refuseVoidedCharges(tx, [...inserts.values()].filter((row) => row.status !== 'DECLINED'));
    if (inserts.size > 0) {
      // No ON CONFLICT: an order id already charged to another wallet fails the append (a ConcurrencyError upstream).
      const rows = [...inserts.values()];
      await tx.query(
        `INSERT INTO order_payments (order_id, user_id, status, amount_cents, decline_reason, updated_at)
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::bigint[], $5::text[], $6::timestamptz[])`,
        [
          rows.map((row) => row.orderId),
          rows.map((row) => row.userId),
          rows.map((row) => row.status),
          rows.map((row) => row.amountCents),
          rows.map((row) => row.declineReason),
          rows.map((row) => row.updatedAt),
        ],
      );
    }
    if (refunds.length > 0) {
      await tx.query(
        `UPDATE order_payments SET status = 'REFUNDED', updated_at = r.at
           FROM unnest($1::uuid[], $2::timestamptz[]) AS r(order_id, at)
          WHERE order_payments.order_id = r.order_id AND order_payments.status = 'CHARGED'`,
        [refunds.map((refund) => refund.orderId), refunds.map((refund) => refund.at)],
      );
    }
  }

  /**
   * A refund may have voided an order while this charge was being decided. Under the order's lock (the one the
   * void takes), a void marker found now means the decision is stale: abort, and the command retries and
   * declines with ORDER_VOIDED. Live appends only: a replay re-reads decisions already made.
   */
  private async refuseVoidedCharges(tx: EntityManager, charges: readonly OrderRow[]): Promise<void> {
    if (charges.length === 0) return;
    const orderIds = charges.map((row) => row.orderId).sort();
    await tx.query(`SELECT pg_advisory_xact_lock(${ORDER_LOCK_KEY('o.id')}) FROM unnest($1::text[]) WITH ORDINALITY AS o(id, n) ORDER BY n`, [
      orderIds,
    ]);
    const voided: { order_id: string }[] = await tx.query(`SELECT order_id FROM voided_orders WHERE order_id = ANY($1::uuid[])`, [orderIds]);
    const first = voided[0] && charges.find((row) => row.orderId === voided[0]?.order_id);
    if (first) throw new ConcurrencyError(first.streamId, first.version - 1, `order ${first.orderId} was voided meanwhile`);
  }
}
