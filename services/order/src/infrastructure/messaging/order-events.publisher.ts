import {
  ORDER_CANCELLED_V1,
  ORDER_CONFIRMED_V1,
  ORDER_PLACED_V1,
  ORDER_SHIPPED_V1,
  type CancellationReason,
  TOPICS,
} from '@shop/contracts';
import { addToOutbox, envelope, kafkaMessage } from '@shop/messaging';
import { type EntityManager } from 'typeorm';
import { type StoredOrder } from '../persistence/order.repository';

/**
 * order.* facts, written to the outbox in the caller's transaction (docs/patterns/05-publish-subscribe.md).
 * Keyed by order id, so one order's events stay in order for every consumer group.
 */
export const orderEvents = {
  placed: (manager: EntityManager, order: StoredOrder, causationId: string | null) =>
    publish(manager, order.id, ORDER_PLACED_V1, causationId, {
      orderId: order.id,
      userId: order.userId,
      items: order.lines.map((l) => ({ productId: l.productId, productName: l.productName, quantity: l.quantity, unitPriceCents: l.unitPriceCents })),
      totalCents: order.totalCents,
      sagaStyle: order.sagaStyle,
      deadline: order.deadlineAt.toISOString(),
    }),
  confirmed: (manager: EntityManager, order: StoredOrder, causationId: string | null) =>
    publish(manager, order.id, ORDER_CONFIRMED_V1, causationId, {
      orderId: order.id,
      userId: order.userId,
      items: order.lines.map((l) => ({ productId: l.productId, productName: l.productName, quantity: l.quantity, unitPriceCents: l.unitPriceCents })),
      totalCents: order.totalCents,
    }),
  cancelled: (manager: EntityManager, order: StoredOrder, reason: CancellationReason, causationId: string | null) =>
    publish(manager, order.id, ORDER_CANCELLED_V1, causationId, { orderId: order.id, userId: order.userId, reason }),
  shipped: (manager: EntityManager, order: StoredOrder, trackingNumber: string, causationId: string | null) =>
    publish(manager, order.id, ORDER_SHIPPED_V1, causationId, { orderId: order.id, userId: order.userId, trackingNumber }),
};

async function publish<T>(manager: EntityManager, orderId: string, type: string, causationId: string | null, data: T): Promise<void> {
  await addToOutbox(manager, [kafkaMessage(TOPICS.orders, orderId, envelope(type, data, { correlationId: orderId, causationId }))]);
}
