import { randomUUID } from 'node:crypto';
import { envelope, RabbitMqConnection } from '@shop/messaging';
import { createLogger, HealthRegistry } from '@shop/platform';
import { InMemoryShipments } from '../../../test/in-memory-ports';
import { CreateShipmentHandler } from '../../application/commands/create-shipment.command';
import { loadShippingConfig } from '../../config/shipping.config';
import { shippingQueueTopology } from '../../infrastructure/messaging/shipping-queue.topology';
import { CreateShipmentConsumer } from './create-shipment.consumer';

function worker() {
  const config = loadShippingConfig({ SHIPPING_DATABASE_URL: 'postgres://127.0.0.1/shipping', KAFKA_BROKERS: '127.0.0.1:9092', RABBITMQ_URL: 'amqp://127.0.0.1' });
  const shipments = new InMemoryShipments();
  // Never connected: the unit under test is the task handler, not the queue plumbing.
  const connection = new RabbitMqConnection(config.RABBITMQ_URL);
  const consumer = new CreateShipmentConsumer(
    connection,
    shippingQueueTopology(''),
    config,
    new CreateShipmentHandler(shipments),
    new HealthRegistry(),
    createLogger('spec', 'silent'),
  );
  return { consumer, shipments };
}

const data = () => ({ orderId: randomUUID(), userId: randomUUID(), items: [{ productId: randomUUID(), quantity: 3, unitPriceCents: 100 }] });

describe('the create-shipment task handler', () => {
  it('creates the shipment a task asks for, caused by the task', async () => {
    const { consumer, shipments } = worker();
    const task = envelope('shipping.create-shipment.v1', data(), { correlationId: 'order-1' });
    await consumer.handle(task);
    const stored = shipments.byOrder.get((task.data as { orderId: string }).orderId);
    expect(stored?.cause).toEqual({ messageId: task.id, messageType: 'shipping.create-shipment.v1', correlationId: 'order-1' });
    expect(stored?.shipment.items).toEqual([{ productId: task.data.items[0].productId, quantity: 3 }]);
  });

  it('rejects a task of another type, so it ends on the dead-letter queue', async () => {
    const { consumer, shipments } = worker();
    await expect(consumer.handle(envelope('shipping.cancel-shipment.v1', data(), { correlationId: 'c' }))).rejects.toMatchObject({ code: 'TASK.UNKNOWN' });
    expect(shipments.byOrder.size).toBe(0);
  });

  it('rejects a task whose data is malformed, naming the field', async () => {
    const { consumer, shipments } = worker();
    await expect(consumer.handle(envelope('shipping.create-shipment.v1', { ...data(), userId: 42 }, { correlationId: 'c' }))).rejects.toMatchObject({
      code: 'REQUEST.INVALID',
      message: expect.stringContaining('userId'),
    });
    expect(shipments.byOrder.size).toBe(0);
  });
});
