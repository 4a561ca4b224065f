import { type Envelope } from '../envelope';
import { type OrderLineV1 } from '../order/order-placed.v1';

/** A command, not an event: put on the RabbitMQ work queue, handled by exactly one shipping worker. */
export const CREATE_SHIPMENT_V1 = 'shipping.create-shipment.v1';
export interface CreateShipmentV1Data {
  readonly orderId: string;
  readonly userId: string;
  readonly items: readonly OrderLineV1[];
}
export type CreateShipmentV1 = Envelope<typeof CREATE_SHIPMENT_V1, CreateShipmentV1Data>;

export const SHIPPING_SHIPPED_V1 = 'shipping.shipped.v1';
export interface ShippingShippedV1Data {
  readonly orderId: string;
  readonly userId: string;
  readonly shipmentId: string;
  readonly trackingNumber: string;
}
export type ShippingShippedV1 = Envelope<typeof SHIPPING_SHIPPED_V1, ShippingShippedV1Data>;
