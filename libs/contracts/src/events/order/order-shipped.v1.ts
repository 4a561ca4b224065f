import { type Envelope } from '../envelope';

export const ORDER_SHIPPED_V1 = 'order.shipped.v1';
export interface OrderShippedV1Data {
  readonly orderId: string;
  readonly userId: string;
  readonly trackingNumber: string;
}
export type OrderShippedV1 = Envelope<typeof ORDER_SHIPPED_V1, OrderShippedV1Data>;
