import { Inject, Injectable } from '@nestjs/common';
import { type Shipment } from '../../domain/shipment';
import { ShipmentNotFoundError } from '../../domain/shipping-errors';
import { SHIPMENT_REPOSITORY, type ShipmentRepository } from '../ports/shipment-repository.port';

export interface GetShipmentQuery {
  readonly orderId: string;
}

/** The shipment of one order; an order without one is SHIPMENT.NOT_FOUND. */
@Injectable()
export class GetShipmentHandler {
  constructor(@Inject(SHIPMENT_REPOSITORY) private readonly shipments: ShipmentRepository) {}

  async execute(query: GetShipmentQuery): Promise<Shipment> {
    const shipment = await this.shipments.findByOrderId(query.orderId);
    if (!shipment) throw new ShipmentNotFoundError(query.orderId);
    return shipment;
  }
}
