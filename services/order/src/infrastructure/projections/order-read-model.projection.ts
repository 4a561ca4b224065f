/**
 * CQRS read model (docs/patterns/08-cqrs.md): `order_views` and `sales_by_product` are written only here, from the
 * order.* events, and answer every query. Denormalised for reading: items with product names, status history and
 * tracking number in one row. The same projection rebuilds a fresh read model by replaying the topic (rebuild-read-model.ts).
 */
import {
  type Envelope,
  ORDER_CANCELLED_V1,
  ORDER_CONFIRMED_V1,
  ORDER_PLACED_V1,
  ORDER_SHIPPED_V1,
  type OrderCancelledV1Data,
  type OrderConfirmedV1Data,
  type OrderPlacedV1Data,
  type OrderShippedV1Data,
} from '@shop/contracts';
import { type EntityManager } from 'typeorm';

/** Applies one event to the read model tables in `schema` (public for the live model, another for a rebuild). */
export async function projectOrderEvent(manager: EntityManager, message: Envelope, schema = 'public'): Promise<void> {
  const views = `"${schema}".order_views`;
  const at = message.occurredAt;
  switch (message.type) {
    case ORDER_PLACED_V1: {
      const data = message.data as OrderPlacedV1Data;
      await manager.query(
        `INSERT INTO ${views} (id, user_id, status, saga_style, total_cents, items, history, created_at, updated_at)
         VALUES ($1, $2, 'PENDING', $3, $4, $5::jsonb, $6::jsonb, $7, $7) ON CONFLICT (id) DO NOTHING`,
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
      return;
    }
    case ORDER_CONFIRMED_V1: {
      const data = message.data as OrderConfirmedV1Data;
      await appendStatus(manager, views, data.orderId, 'CONFIRMED', at);
      for (const item of data.items) {
        await manager.query(
          `INSERT INTO "${schema}".sales_by_product (product_id, product_name, units, revenue_cents, orders) VALUES ($1, $2, $3, $4, 1)
           ON CONFLICT (product_id) DO UPDATE SET units = sales_by_product.units + EXCLUDED.units,
             revenue_cents = sales_by_product.revenue_cents + EXCLUDED.revenue_cents, orders = sales_by_product.orders + 1,
             product_name = EXCLUDED.product_name`,
          [item.productId, item.productName ?? item.productId, item.quantity, item.quantity * item.unitPriceCents],
        );
      }
      return;
    }
    case ORDER_CANCELLED_V1: {
      const data = message.data as OrderCancelledV1Data;
      await appendStatus(manager, views, data.orderId, 'CANCELLED', at, { reason: data.reason });
      return;
    }
    case ORDER_SHIPPED_V1: {
      const data = message.data as OrderShippedV1Data;
      await appendStatus(manager, views, data.orderId, 'SHIPPED', at, { trackingNumber: data.trackingNumber });
      return;
    }
    default:
      return;
  }
}

async function appendStatus(
  manager: EntityManager,
  views: string,
  orderId: string,
  status: string,
  at: string,
  extra: { reason?: string; trackingNumber?: string } = {},
): Promise<void> {
  await manager.query(
    `UPDATE ${views} SET status = $2, history = history || $3::jsonb, updated_at = $4,
        reason = coalesce($5, reason), tracking_number = coalesce($6, tracking_number)
      WHERE id = $1`,
    [orderId, status, JSON.stringify([{ status, at }]), at, extra.reason ?? null, extra.trackingNumber ?? null],
  );
}
