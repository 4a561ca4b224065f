import { type Envelope } from '../envelope';

export type CancellationReason = 'OUT_OF_STOCK' | 'PAYMENT_DECLINED' | 'PAYMENT_UNAVAILABLE' | 'INVENTORY_UNAVAILABLE';

export const ORDER_CANCELLED_V1 = 'order.cancelled.v1';
export interface OrderCancelledV1Data {
  readonly orderId: string;
  readonly userId: string;
  readonly reason: CancellationReason;
}
export type OrderCancelledV1 = Envelope<typeof ORDER_CANCELLED_V1, OrderCancelledV1Data>;
