import { InvalidShipmentRequestError } from './shipping-errors';

/** One product line of a parcel. */
export interface ShipmentLine {
  readonly productId: string;
  readonly quantity: number;
}

/** What a confirmed order asks the warehouse to ship. */
export interface ShipmentRequest {
  readonly orderId: string;
  readonly userId: string;
  readonly items: readonly ShipmentLine[];
}

/** A parcel on its way: at most one per order, which the database guarantees (order_id is unique). */
export interface Shipment extends ShipmentRequest {
  readonly id: string;
  readonly trackingNumber: string;
  readonly createdAt: Date;
}

export const MAX_LINES = 100;
export const MAX_QUANTITY = 1_000;

/**
 * Checks a request and returns it with one line per product (quantities of repeated products added up), sorted
 * by product id, so the same order always yields the same parcel. Throws SHIPMENT.INVALID, writing nothing.
 */
export function checkShipmentRequest(request: ShipmentRequest): ShipmentRequest {
  const { orderId, userId, items } = request;
  if (items.length === 0) throw new InvalidShipmentRequestError(orderId, 'it has no items');
  if (items.length > MAX_LINES) throw new InvalidShipmentRequestError(orderId, `it has more than ${MAX_LINES} lines`);
  const quantities = new Map<string, number>();
  for (const { productId, quantity } of items) {
    if (!Number.isInteger(quantity) || quantity < 1) {
      throw new InvalidShipmentRequestError(orderId, `quantity ${quantity} of product ${productId} is not a positive whole number`);
    }
    quantities.set(productId, (quantities.get(productId) ?? 0) + quantity);
  }
  for (const [productId, quantity] of quantities) {
    if (quantity > MAX_QUANTITY) throw new InvalidShipmentRequestError(orderId, `more than ${MAX_QUANTITY} units of product ${productId}`);
  }
  const lines = [...quantities.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([productId, quantity]) => ({ productId, quantity }));
  return { orderId, userId, items: lines };
}

/** The shipment for a checked request, with the identity it was given (a fresh id and tracking number per attempt). */
export function createShipment(request: ShipmentRequest, identity: { id: string; trackingNumber: string }, now: Date): Shipment {
  return { ...checkShipmentRequest(request), id: identity.id, trackingNumber: identity.trackingNumber, createdAt: now };
}

/** Crockford's base 32: no I, L, O or U, so a tracking number read over the phone is not misheard. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TRACKING_NUMBER = /^SHP-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/;

/** `SHP-XXXX-XXXX-XXXX` from the first 60 bits of `random` (at least 8 bytes). */
export function trackingNumberFrom(random: Uint8Array): string {
  if (random.length < 8) throw new RangeError('a tracking number needs 8 random bytes');
  // Two 30-bit halves, so plain number arithmetic suffices (one per worker task: no BigInt on the hot path).
  const high = random[0] * 2 ** 22 + random[1] * 2 ** 14 + random[2] * 2 ** 6 + (random[3] >> 2);
  const low = (random[3] & 3) * 2 ** 28 + random[4] * 2 ** 20 + random[5] * 2 ** 12 + random[6] * 2 ** 4 + (random[7] >> 4);
  const symbols = base32(high) + base32(low);
  return `SHP-${symbols.slice(0, 4)}-${symbols.slice(4, 8)}-${symbols.slice(8)}`;
}

/** Six symbols for 30 bits, most significant first. */
function base32(bits: number): string {
  let symbols = '';
  for (let shift = 25; shift >= 0; shift -= 5) symbols += ALPHABET[Math.floor(bits / 2 ** shift) % 32];
  return symbols;
}

export function isTrackingNumber(value: string): boolean {
  return TRACKING_NUMBER.test(value);
}
