import { randomUUID } from 'node:crypto';
import { InMemoryShipments } from '../../../test/in-memory-ports';
import { createShipment } from '../../domain/shipment';
import { ShipmentNotFoundError } from '../../domain/shipping-errors';
import { GetShipmentHandler } from './get-shipment.query';

describe('getting the shipment of an order', () => {
  it('answers the stored shipment', async () => {
    const shipments = new InMemoryShipments();
    const shipment = createShipment(
      { orderId: randomUUID(), userId: randomUUID(), items: [{ productId: randomUUID(), quantity: 1 }] },
      { id: randomUUID(), trackingNumber: 'SHP-0000-0000-0001' },
      new Date(),
    );
    await shipments.createOnce(shipment, { messageId: randomUUID(), messageType: 'shipping.create-shipment.v1', correlationId: randomUUID() });
    await expect(new GetShipmentHandler(shipments).execute({ orderId: shipment.orderId })).resolves.toEqual(shipment);
  });

  it('is SHIPMENT.NOT_FOUND for an order without one', async () => {
    const orderId = randomUUID();
    const attempt = new GetShipmentHandler(new InMemoryShipments()).execute({ orderId });
    await expect(attempt).rejects.toThrow(ShipmentNotFoundError);
    await expect(attempt).rejects.toMatchObject({ code: 'SHIPMENT.NOT_FOUND', category: 'not_found', details: { orderId } });
  });
});
