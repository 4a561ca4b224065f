import { type Envelope } from '../envelope';
import { type OrderLineV1, type SagaStyle } from '../order/order-placed.v1';

export const INVENTORY_RESERVED_V1 = 'inventory.reserved.v1';
export interface InventoryReservedV1Data {
  readonly orderId: string;
  readonly userId: string;
  readonly totalCents: number;
  readonly items: readonly OrderLineV1[];
  readonly sagaStyle: SagaStyle;
}
export type InventoryReservedV1 = Envelope<typeof INVENTORY_RESERVED_V1, InventoryReservedV1Data>;

export const INVENTORY_REJECTED_V1 = 'inventory.rejected.v1';
export interface InventoryRejectedV1Data {
  readonly orderId: string;
  readonly unavailableProductIds: readonly string[];
  readonly sagaStyle: SagaStyle;
}
export type InventoryRejectedV1 = Envelope<typeof INVENTORY_REJECTED_V1, InventoryRejectedV1Data>;

export const INVENTORY_RELEASED_V1 = 'inventory.released.v1';
export interface InventoryReleasedV1Data {
  readonly orderId: string;
}
export type InventoryReleasedV1 = Envelope<typeof INVENTORY_RELEASED_V1, InventoryReleasedV1Data>;
