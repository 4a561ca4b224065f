import { SHIPPING_QUEUE } from '@shop/contracts';
import { shippingQueueTopology } from './shipping-queue.topology';

describe('the shipping work queue names', () => {
  it('are the contract names when there is no prefix', () => {
    expect(shippingQueueTopology('')).toEqual(SHIPPING_QUEUE);
  });

  it('put the prefix before every exchange and queue, keeping the routing key', () => {
    expect(shippingQueueTopology('spec-7.')).toEqual({
      exchange: 'spec-7.shipping.tasks',
      routingKey: 'shipping.create-shipment.v1',
      queue: 'spec-7.shipping.create-shipment.v1',
      retryExchange: 'spec-7.shipping.tasks.retry',
      retryQueue: 'spec-7.shipping.create-shipment.v1.retry',
      deadLetterQueue: 'spec-7.shipping.create-shipment.v1.dlq',
    });
  });
});
