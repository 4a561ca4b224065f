/**
 * CQRS read model (docs/patterns/08-cqrs.md): `order_views` and `sales_by_product` are written only here, from the
 * order.* events, and answer every query. Denormalised for reading: items with product names, status history and
 * tracking number in one row. The same projection rebuilds a fresh read model by replaying the topic
 * (read-model-rebuild.ts), so the live and the rebuilt read model apply every event alike.
 *
 * A status moves only forward: PENDING → CONFIRMED → SHIPPED, or PENDING → CANCELLED. A status event the order is not
 * ready for yet (no row: its order.placed.v1 was dead-lettered or is being replayed; or a shipment before the
 * confirmation) waits in `deferred_order_events` until the order reaches the status it moves from. One the order is
 * already past, or that went the other way (a cancellation of a confirmed order), changes nothing.
 */
import {
  type Envelope,
  ORDER_CANCELLED_V1,
  ORDER_CONFIRMED_V1,
  ORDER_PLACED_V1,
  ORDER_SHIPPED_V1,
  type OrderConfirmedV1Data,
  type OrderPlacedV1Data,
} from '@shop/contracts';
import { type EntityManager } from 'typeorm';

/** The tables of one read model, all in one schema: what a rebuild creates afresh and a swap replaces together. */
export const READ_MODEL_TABLES = ['order_views', 'sales_by_product', 'deferred_order_events'] as const;

/**
 * Makes the live read model (schema public) and the rebuild's swap exclusive. Every event applied to the live tables
 * takes this lock shared, first in its transaction; the swap takes it exclusively while it re-checks the live group's
 * offsets and replaces the tables, so nothing the live consumer applies can fall between the check and the swap. A
 * transaction-level advisory lock: the commit or rollback releases it.
 */
export async function lockLiveReadModel(manager: EntityManager, mode: 'shared' | 'exclusive'): Promise<void> {
  const take = mode === 'shared' ? 'pg_advisory_xact_lock_shared' : 'pg_advisory_xact_lock';
  await manager.query(`SELECT ${take}(hashtextextended('order.live-read-model', 0))`);
}

type Status = 'PENDING' | 'CONFIRMED' | 'CANCELLED' | 'SHIPPED';

/** Each status event: the status it moves an order to, and the only one it moves it from. */
const MOVES: ReadonlyMap<string, { readonly to: Status; readonly from: Status }> = new Map([
  [ORDER_CONFIRMED_V1, { to: 'CONFIRMED', from: 'PENDING' }],
  [ORDER_CANCELLED_V1, { to: 'CANCELLED', from: 'PENDING' }],
  [ORDER_SHIPPED_V1, { to: 'SHIPPED', from: 'CONFIRMED' }],
]);

/** How far along a status is. An order at an earlier stage than an event's `from` is not ready for the event yet. */
const STAGE: Readonly<Record<Status, number>> = { PENDING: 0, CONFIRMED: 1, CANCELLED: 1, SHIPPED: 2 };

/**
 * Applies one event to the read model tables in `schema` (public for the live model, another for a rebuild). Applying
 * an event again changes nothing (placement `ON CONFLICT DO NOTHING`, a status only from the one before it, a kept
 * event once per message id), so a retry after a commit whose answer was lost is harmless.
 */
export async function projectOrderEvent(manager: EntityManager, message: Envelope, schema = 'public'): Promise<void> {
  if (message.type !== ORDER_PLACED_V1 && !MOVES.has(message.type)) return;
  if (schema === 'public') await lockLiveReadModel(manager, 'shared');
  if (message.type === ORDER_PLACED_V1) await place(manager, schema, message);
  else await move(manager, schema, message);
}

async function place(manager: EntityManager, schema: string, message: Envelope): Promise<void> {
  const data = message.data as OrderPlacedV1Data;
  const at = message.occurredAt;
  // The row and, in the same statement, the status events that arrived before it, taken out to be applied now.
  const deferred: Array<{ envelope: Envelope }> = await manager.query(
    `WITH placed AS (
       INSERT INTO "${schema}".order_views (id, user_id, status, saga_style, total_cents, items, history, created_at, updated_at)
       VALUES ($1, $2, 'PENDING', $3, $4, $5::jsonb, $6::jsonb, $7, $7) ON CONFLICT (id) DO NOTHING RETURNING id),
     taken AS (
       DELETE FROM "${schema}".deferred_order_events d USING placed WHERE d.order_id = placed.id RETURNING d.envelope)
     SELECT envelope FROM taken`,
    [
      data.orderId,
      data.userId,
      data.sagaStyle,
      data.totalCents,
      JSON.stringify(data.items.map((i) => ({ productId: i.productId, name: i.productName ?? null, quantity: i.quantity, unitPriceCents: i.unitPriceCents }))),
      JSON.stringify([{ status: 'PENDING', at }]),
      at,
    ],
  );
  await applyDeferred(manager, schema, deferred.map((row) => row.envelope));
}

async function move(manager: EntityManager, schema: string, message: Envelope): Promise<void> {
  const { to, from } = MOVES.get(message.type) as { to: Status; from: Status };
  const data = message.data as { orderId: string; reason?: string; trackingNumber?: string };
  const at = message.occurredAt;
  const views = `"${schema}".order_views`;
  // Compare-and-set on the status; `was` is the status before this statement (null: no row).
  const [row]: Array<{ moved: boolean; was: Status | null }> = await manager.query(
    `WITH moved AS (
       UPDATE ${views} SET status = $2, history = history || $3::jsonb, updated_at = $4,
         reason = coalesce($5, reason), tracking_number = coalesce($6, tracking_number)
       WHERE id = $1 AND status = $7 RETURNING 1)
     SELECT EXISTS (SELECT 1 FROM moved) AS moved, (SELECT status FROM ${views} WHERE id = $1) AS was`,
    [data.orderId, to, JSON.stringify([{ status: to, at }]), at, data.reason ?? null, data.trackingNumber ?? null, from],
  );
  if (row.moved) {
    if (to === 'CONFIRMED') {
      await countSales(manager, schema, message.data as OrderConfirmedV1Data);
      // A shipment that arrived before this confirmation can be applied now.
      await applyDeferred(manager, schema, await takeDeferred(manager, schema, data.orderId));
    }
    return;
  }
  if (row.was === null || STAGE[row.was] < STAGE[from]) {
    await manager.query(
      `INSERT INTO "${schema}".deferred_order_events (message_id, order_id, envelope) VALUES ($1, $2, $3::jsonb) ON CONFLICT (message_id) DO NOTHING`,
      [message.id, data.orderId, JSON.stringify(message)],
    );
  }
  // Otherwise the order is at or past this status, or went the other way: a stale event, which changes nothing.
}

async function countSales(manager: EntityManager, schema: string, data: OrderConfirmedV1Data): Promise<void> {
  for (const item of data.items) {
    await manager.query(
      `INSERT INTO "${schema}".sales_by_product (product_id, product_name, units, revenue_cents, orders) VALUES ($1, $2, $3, $4, 1)
       ON CONFLICT (product_id) DO UPDATE SET units = sales_by_product.units + EXCLUDED.units,
         revenue_cents = sales_by_product.revenue_cents + EXCLUDED.revenue_cents, orders = sales_by_product.orders + 1,
         product_name = EXCLUDED.product_name`,
      [item.productId, item.productName ?? item.productId, item.quantity, item.quantity * item.unitPriceCents],
    );
  }
}

async function takeDeferred(manager: EntityManager, schema: string, orderId: string): Promise<Envelope[]> {
  const rows: Array<{ envelope: Envelope }> = await manager.query(
    `WITH taken AS (DELETE FROM "${schema}".deferred_order_events WHERE order_id = $1 RETURNING envelope) SELECT envelope FROM taken`,
    [orderId],
  );
  return rows.map((row) => row.envelope);
}

/** Applies kept status events in the order their statuses follow each other, then as they occurred; one the order is still not ready for is kept again. */
async function applyDeferred(manager: EntityManager, schema: string, envelopes: readonly Envelope[]): Promise<void> {
  const stage = (envelope: Envelope): number => STAGE[(MOVES.get(envelope.type) as { to: Status }).to];
  const ordered = [...envelopes].sort((a, b) => stage(a) - stage(b) || a.occurredAt.localeCompare(b.occurredAt));
  for (const envelope of ordered) await move(manager, schema, envelope);
}
