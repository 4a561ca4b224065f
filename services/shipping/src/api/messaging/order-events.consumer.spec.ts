import { randomUUID } from 'node:crypto';
import { type KafkaConsumers, type KafkaSubscription, envelope } from '@shop/messaging';
import { InMemoryShipmentTasks } from '../../../test/in-memory-ports';
import { RequestShipmentHandler } from '../../application/commands/request-shipment.command';
import { loadShippingConfig } from '../../config/shipping.config';
import { OrderEventsConsumer } from './order-events.consumer';

function consumerWith(prefix = '') {
  const subscriptions: KafkaSubscription[] = [];
  const consumers = { subscribe: (subscription: KafkaSubscription) => void subscriptions.push(subscription) } as unknown as KafkaConsumers;
  const config = loadShippingConfig({
    SHIPPING_DATABASE_URL: 'postgres://127.0.0.1/shipping',
    KAFKA_BROKERS: '127.0.0.1:9092',
    RABBITMQ_URL: 'amqp://127.0.0.1',
    SHIPPING_CONSUMER_GROUP_PREFIX: prefix,
  });
  const tasks = new InMemoryShipmentTasks();
  const consumer = new OrderEventsConsumer(consumers, config, new RequestShipmentHandler(tasks));
  consumer.onModuleInit();
  return { consumer, subscriptions, tasks };
}

const order = () => ({
  orderId: randomUUID(),
  userId: randomUUID(),
  items: [{ productId: randomUUID(), quantity: 1, unitPriceCents: 500 }],
  totalCents: 500,
});

describe('the order events consumer', () => {
  it('reads orders.events.v1 in the shipping-fulfilment group, behind the configured prefix', () => {
    expect(consumerWith().subscriptions.map(({ groupId, topics }) => ({ groupId, topics }))).toEqual([
      { groupId: 'shipping-fulfilment', topics: ['orders.events.v1'] },
    ]);
    expect(consumerWith('spec-3.').subscriptions[0].groupId).toBe('spec-3.shipping-fulfilment');
  });

  it('turns order.confirmed.v1 into a task, accepting fields added to the event later', async () => {
    const { consumer, tasks } = consumerWith();
    const data = order();
    const event = envelope('order.confirmed.v1', { ...data, giftWrap: true }, { correlationId: data.orderId });
    await consumer.dispatch(event);
    expect(tasks.queued).toEqual([
      {
        cause: { messageId: event.id, messageType: 'order.confirmed.v1', correlationId: data.orderId },
        task: { orderId: data.orderId, userId: data.userId, items: data.items },
      },
    ]);
  });

  it('ignores the other order events', async () => {
    const { consumer, tasks } = consumerWith();
    await consumer.dispatch(envelope('order.placed.v1', order(), { correlationId: 'c' }));
    await consumer.dispatch(envelope('order.cancelled.v1', { orderId: randomUUID(), userId: randomUUID(), reason: 'OUT_OF_STOCK' }, { correlationId: 'c' }));
    expect(tasks.queued).toHaveLength(0);
  });

  it('rejects an order.confirmed.v1 whose data is malformed, so it is retried and then dead-lettered', async () => {
    const { consumer, tasks } = consumerWith();
    await expect(consumer.dispatch(envelope('order.confirmed.v1', { ...order(), orderId: 'nope' }, { correlationId: 'c' }))).rejects.toMatchObject({
      code: 'REQUEST.INVALID',
      message: expect.stringContaining('orderId'),
    });
    expect(tasks.queued).toHaveLength(0);
  });
});
