import { type Envelope } from '../envelope';

export type SagaStyle = 'orchestration' | 'choreography';

export interface OrderLineV1 {
  readonly productId: string;
  /** The catalog name at the time of ordering (added in v1; consumers must not require it). */
  readonly productName?: string;
  readonly quantity: number;
  readonly unitPriceCents: number;
}

export const ORDER_PLACED_V1 = 'order.placed.v1';
export interface OrderPlacedV1Data {
  readonly orderId: string;
  readonly userId: string;
  readonly items: readonly OrderLineV1[];
  readonly totalCents: number;
  readonly sagaStyle: SagaStyle;
  /** ISO-8601: when the order gives up waiting (choreography's deadline). */
  readonly deadline: string;
}
export type OrderPlacedV1 = Envelope<typeof ORDER_PLACED_V1, OrderPlacedV1Data>;
