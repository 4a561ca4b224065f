import { randomUUID } from 'node:crypto';
import { InMemoryShipmentTasks } from '../../../test/in-memory-ports';
import { RequestShipmentHandler } from './request-shipment.command';

const confirmed = () => ({
  cause: { messageId: randomUUID(), messageType: 'order.confirmed.v1', correlationId: randomUUID() },
  task: { orderId: randomUUID(), userId: randomUUID(), items: [{ productId: randomUUID(), quantity: 1, unitPriceCents: 1_000 }] },
});

describe('requesting a shipment for a confirmed order', () => {
  it('queues one create-shipment task carrying the order as it was confirmed', async () => {
    const tasks = new InMemoryShipmentTasks();
    const command = confirmed();
    await expect(new RequestShipmentHandler(tasks).execute(command)).resolves.toBe('enqueued');
    expect(tasks.queued).toEqual([{ cause: command.cause, task: command.task }]);
  });

  it('queues nothing more when the same event arrives again', async () => {
    const tasks = new InMemoryShipmentTasks();
    const handler = new RequestShipmentHandler(tasks);
    const command = confirmed();
    await handler.execute(command);
    await expect(handler.execute(command)).resolves.toBe('duplicate');
    expect(tasks.queued).toHaveLength(1);
  });

  it('refuses an order the workers could not ship, queueing nothing', async () => {
    const tasks = new InMemoryShipmentTasks();
    const command = confirmed();
    const bad = { ...command, task: { ...command.task, items: [{ productId: randomUUID(), quantity: 0, unitPriceCents: 1 }] } };
    await expect(new RequestShipmentHandler(tasks).execute(bad)).rejects.toMatchObject({ code: 'SHIPMENT.INVALID' });
    expect(tasks.queued).toHaveLength(0);
    expect(tasks.handled.size).toBe(0);
  });
});
