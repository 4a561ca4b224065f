import { Controller, Get, Param } from '@nestjs/common';
import { ZodPipe } from '@shop/platform';
import { z } from 'zod';
import { GetShipmentHandler } from '../../application/queries/get-shipment.query';

export interface ShipmentBody {
  readonly orderId: string;
  readonly shipmentId: string;
  readonly trackingNumber: string;
  /** ISO-8601 */
  readonly createdAt: string;
}

/** Where an order's parcel is: its shipment and tracking number, once a worker has created it. */
@Controller('shipments')
export class ShipmentsHttpController {
  constructor(private readonly getShipment: GetShipmentHandler) {}

  @Get(':orderId')
  async get(@Param('orderId', new ZodPipe(z.uuid(), 'order id')) orderId: string): Promise<ShipmentBody> {
    const shipment = await this.getShipment.execute({ orderId });
    return {
      orderId: shipment.orderId,
      shipmentId: shipment.id,
      trackingNumber: shipment.trackingNumber,
      createdAt: shipment.createdAt.toISOString(),
    };
  }
}
