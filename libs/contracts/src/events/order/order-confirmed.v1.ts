import { type Envelope } from '../envelope';
import { type OrderLineV1 } from './order-placed.v1';

export const ORDER_CONFIRMED_V1 = 'order.confirmed.v1';
export interface OrderConfirmedV1Data {
  readonly orderId: string;
  readonly userId: string;
  readonly items: readonly OrderLineV1[];
  readonly totalCents: number;
}
export type OrderConfirmedV1 = Envelope<typeof ORDER_CONFIRMED_V1, OrderConfirmedV1Data>;
