import { type CatalogPrice, type OrderLine } from '../../domain/order';

export type ReservationOutcome = 'RESERVED' | 'REJECTED';

/** What order needs from inventory. Every call is idempotent per order id. */
export abstract class InventoryPort {
  abstract prices(productIds: readonly string[], requestId?: string): Promise<CatalogPrice[]>;
  abstract reserve(orderId: string, lines: readonly OrderLine[]): Promise<ReservationOutcome>;
  abstract release(orderId: string): Promise<void>;
}
