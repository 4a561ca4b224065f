export * from './envelope';
export * from './topics';
export * from './user/user-registered.v1';
export * from './order/order-placed.v1';
export * from './order/order-confirmed.v1';
export * from './order/order-cancelled.v1';
export * from './order/order-shipped.v1';
export * from './inventory/inventory-events.v1';
export * from './payment/payment-events.v1';
export * from './shipping/shipping-events.v1';
export * from './user-activity/product-viewed.v1';

import { TOPICS, type Topic } from './topics';

/** The event catalog: every event type, the topic it travels on and the service that produces it. */
export const EVENT_CATALOG: ReadonlyArray<{ type: string; topic: Topic; producer: string }> = [
  { type: 'user.registered.v1', topic: TOPICS.users, producer: 'user' },
  { type: 'order.placed.v1', topic: TOPICS.orders, producer: 'order' },
  { type: 'order.confirmed.v1', topic: TOPICS.orders, producer: 'order' },
  { type: 'order.cancelled.v1', topic: TOPICS.orders, producer: 'order' },
  { type: 'order.shipped.v1', topic: TOPICS.orders, producer: 'order' },
  { type: 'inventory.reserved.v1', topic: TOPICS.inventory, producer: 'inventory' },
  { type: 'inventory.rejected.v1', topic: TOPICS.inventory, producer: 'inventory' },
  { type: 'inventory.released.v1', topic: TOPICS.inventory, producer: 'inventory' },
  { type: 'payment.charged.v1', topic: TOPICS.payments, producer: 'payment' },
  { type: 'payment.declined.v1', topic: TOPICS.payments, producer: 'payment' },
  { type: 'payment.refunded.v1', topic: TOPICS.payments, producer: 'payment' },
  { type: 'shipping.shipped.v1', topic: TOPICS.shipping, producer: 'shipping' },
  { type: 'user-activity.product-viewed.v1', topic: TOPICS.userActivity, producer: 'gateway' },
];
