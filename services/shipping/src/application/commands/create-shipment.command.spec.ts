import { randomUUID } from 'node:crypto';
import { InMemoryShipments } from '../../../test/in-memory-ports';
import { isTrackingNumber } from '../../domain/shipment';
import { CreateShipmentHandler } from './create-shipment.command';

const task = () => ({
  cause: { messageId: randomUUID(), messageType: 'shipping.create-shipment.v1', correlationId: randomUUID() },
  request: { orderId: randomUUID(), userId: randomUUID(), items: [{ productId: randomUUID(), quantity: 2 }] },
});

describe('creating a shipment', () => {
  it('stores a shipment with a fresh id and a tracking number for the order, caused by the task', async () => {
    const shipments = new InMemoryShipments();
    const command = task();
    const result = await new CreateShipmentHandler(shipments).execute(command);
    expect(result.outcome).toBe('created');
    expect(isTrackingNumber(result.shipment.trackingNumber)).toBe(true);
    expect(shipments.byOrder.get(command.request.orderId)).toEqual({ shipment: result.shipment, cause: command.cause });
  });

  it('changes nothing when the order was shipped already (a duplicated or redelivered task)', async () => {
    const shipments = new InMemoryShipments();
    const handler = new CreateShipmentHandler(shipments);
    const command = task();
    const first = await handler.execute(command);
    const again = await handler.execute({ ...command, cause: { ...command.cause, messageId: randomUUID() } });
    expect(again.outcome).toBe('already-shipped');
    expect(shipments.byOrder.size).toBe(1);
    expect(await shipments.findByOrderId(command.request.orderId)).toEqual(first.shipment);
  });

  it('refuses a task without items before anything is stored', async () => {
    const shipments = new InMemoryShipments();
    const command = task();
    await expect(new CreateShipmentHandler(shipments).execute({ ...command, request: { ...command.request, items: [] } })).rejects.toMatchObject({
      code: 'SHIPMENT.INVALID',
    });
    expect(shipments.byOrder.size).toBe(0);
  });
});
