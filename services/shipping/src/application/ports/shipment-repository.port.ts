import { type Shipment } from '../../domain/shipment';

/** The message that caused a write; its id becomes the causation id of what the write publishes. */
export interface MessageCause {
  readonly messageId: string;
  readonly messageType: string;
  readonly correlationId: string;
}

export type CreateShipmentOutcome = 'created' | 'already-shipped';

export interface ShipmentRepository {
  /**
   * In one transaction: inserts the shipment unless its order has one already, and with it puts
   * shipping.shipped.v1 in the outbox. Resolves only after that transaction committed (so the task may be
   * acknowledged); 'already-shipped' when the order had a shipment, in which case nothing is written.
   */
  createOnce(shipment: Shipment, cause: MessageCause): Promise<CreateShipmentOutcome>;
  findByOrderId(orderId: string): Promise<Shipment | undefined>;
}

export const SHIPMENT_REPOSITORY = Symbol('SHIPMENT_REPOSITORY');
