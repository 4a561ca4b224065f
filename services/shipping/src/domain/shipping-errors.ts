import { DomainError } from '@shop/platform/errors';

/** A shipment request breaks a rule of its own (no items, a quantity out of range): nothing is written. */
export class InvalidShipmentRequestError extends DomainError {
  constructor(orderId: string, reason: string) {
    super('SHIPMENT.INVALID', 'invalid', `Cannot ship order ${orderId}: ${reason}`, { orderId });
    this.name = 'InvalidShipmentRequestError';
  }
}

export class ShipmentNotFoundError extends DomainError {
  constructor(readonly orderId: string) {
    super('SHIPMENT.NOT_FOUND', 'not_found', `Order ${orderId} has no shipment`, { orderId });
    this.name = 'ShipmentNotFoundError';
  }
}
