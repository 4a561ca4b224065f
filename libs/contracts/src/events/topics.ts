/**
 * Every Kafka topic, RabbitMQ exchange and queue of the shop, defined once. Kafka carries facts (events) to every
 * subscribed consumer group; RabbitMQ hands each piece of work (a command) to exactly one worker.
 */
export const TOPICS = {
  users: 'users.events.v1',
  orders: 'orders.events.v1',
  inventory: 'inventory.events.v1',
  payments: 'payments.events.v1',
  shipping: 'shipping.events.v1',
  userActivity: 'user-activity.v1',
} as const;
export type Topic = (typeof TOPICS)[keyof typeof TOPICS];

/** A message that keeps failing in a consumer group ends here instead of blocking its partition. */
export const deadLetterTopic = (topic: string): string => `${topic}.dlq`;

/** Consumer groups: each one receives every event of the topics it subscribes to. */
export const CONSUMER_GROUPS = {
  orderReadModel: 'order-read-model',
  orderSaga: 'order-saga',
  inventorySaga: 'inventory-saga',
  paymentSaga: 'payment-saga',
  paymentWallets: 'payment-wallets',
  shippingFulfilment: 'shipping-fulfilment',
  recommendation: 'recommendation',
} as const;

/** The shipping work queue: one task per confirmed order, competing workers, retries with delay, dead letters. */
export const SHIPPING_QUEUE = {
  exchange: 'shipping.tasks',
  routingKey: 'shipping.create-shipment.v1',
  queue: 'shipping.create-shipment.v1',
  retryExchange: 'shipping.tasks.retry',
  retryQueue: 'shipping.create-shipment.v1.retry',
  deadLetterQueue: 'shipping.create-shipment.v1.dlq',
} as const;
