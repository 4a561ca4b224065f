/**
 * The order's rules in plain TypeScript: how an order is priced, and which status changes are allowed.
 * Prices come only from the catalog (never from the client); an order moves PENDING -> CONFIRMED -> SHIPPED,
 * or PENDING -> CANCELLED with a reason, and never back.
 */
import { DomainError } from '@shop/platform/errors';

export type OrderStatus = 'PENDING' | 'CONFIRMED' | 'SHIPPED' | 'CANCELLED';
export type SagaStyle = 'orchestration' | 'choreography';
export type CancellationReason = 'OUT_OF_STOCK' | 'PAYMENT_DECLINED' | 'PAYMENT_UNAVAILABLE' | 'INVENTORY_UNAVAILABLE';

export interface RequestedItem {
  readonly productId: string;
  readonly quantity: number;
}

export interface CatalogPrice {
  readonly productId: string;
  readonly name: string;
  readonly priceCents: number;
}

export interface OrderLine {
  readonly productId: string;
  readonly productName: string;
  readonly quantity: number;
  readonly unitPriceCents: number;
}

export const MAX_QUANTITY_PER_LINE = 100;

export class UnknownProductsError extends DomainError {
  constructor(readonly productIds: readonly string[]) {
    super('ORDER.UNKNOWN_PRODUCT', 'invalid', `Unknown product${productIds.length > 1 ? 's' : ''}: ${productIds.join(', ')}`, { productIds });
  }
}

export class OrderNotFoundError extends DomainError {
  constructor(orderId: string) {
    super('ORDER.NOT_FOUND', 'not_found', `Order ${orderId} not found`);
  }
}

/** Merges repeated products and prices every line from the catalog. Throws for products the catalog does not know. */
export function priceOrder(items: readonly RequestedItem[], catalog: readonly CatalogPrice[]): { lines: OrderLine[]; totalCents: number } {
  const merged = new Map<string, number>();
  for (const item of items) merged.set(item.productId, (merged.get(item.productId) ?? 0) + item.quantity);
  const prices = new Map(catalog.map((entry) => [entry.productId, entry]));
  const unknown = [...merged.keys()].filter((productId) => !prices.has(productId));
  if (unknown.length > 0) throw new UnknownProductsError(unknown);
  const lines = [...merged.entries()].map(([productId, quantity]) => {
    if (quantity > MAX_QUANTITY_PER_LINE) {
      throw new DomainError('ORDER.QUANTITY_TOO_LARGE', 'invalid', `At most ${MAX_QUANTITY_PER_LINE} of product ${productId} per order`);
    }
    const price = prices.get(productId) as CatalogPrice;
    return { productId, productName: price.name, quantity, unitPriceCents: price.priceCents };
  });
  const totalCents = lines.reduce((sum, line) => sum + line.quantity * line.unitPriceCents, 0);
  return { lines, totalCents };
}

const ALLOWED: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  PENDING: ['CONFIRMED', 'CANCELLED'],
  CONFIRMED: ['SHIPPED'],
  SHIPPED: [],
  CANCELLED: [],
};

export function canMove(from: OrderStatus, to: OrderStatus): boolean {
  return ALLOWED[from].includes(to);
}
