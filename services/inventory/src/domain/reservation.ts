/**
 * Saga participant (docs/patterns/07-saga.md): the order saga reserves stock as a step and releases it as the
 * compensation. Both may arrive twice or out of order (retries, redelivered messages), so every transition
 * below is idempotent per order id and a release that comes first leaves a tombstone.
 */
import { InvalidReservationError, ReservationTransitionError } from './inventory-errors';

/**
 * The rules of a stock reservation, one per order id, as plain functions over its status:
 *
 *   (none) ──Reserve──▶ RESERVED ──Commit──▶ COMMITTED
 *     │         │           │
 *     │         ▼           └──Release──▶ RELEASED (stock given back)
 *     │     REJECTED (nothing held)
 *     └──Release──▶ RELEASED tombstone (no items): a late Reserve for that order is REJECTED
 *
 * Every transition is idempotent: asking for the state a reservation is already in changes nothing.
 */
export const RESERVATION_STATUSES = ['RESERVED', 'REJECTED', 'RELEASED', 'COMMITTED'] as const;
export type ReservationStatus = (typeof RESERVATION_STATUSES)[number];

export const MIN_LINE_QUANTITY = 1;
export const MAX_LINE_QUANTITY = 100;

export interface ReservationLine {
  readonly productId: string;
  readonly quantity: number;
}

/** What a reservation is now, as far as the rules need to know. */
export interface ReservationState {
  readonly status: ReservationStatus;
  readonly unavailableProductIds: readonly string[];
  /** Whether it ever held stock: false for a REJECTED reservation and for a release-before-reserve tombstone. */
  readonly heldStock: boolean;
}

export interface ReservationOutcome {
  readonly status: ReservationStatus;
  readonly unavailableProductIds: readonly string[];
}

/**
 * The lines to reserve: at least one, each quantity 1..100, one line per product (duplicates merged) and
 * sorted by product id, so that concurrent reservations always lock product rows in the same order.
 */
export function reservationLines(items: readonly ReservationLine[]): ReservationLine[] {
  if (items.length === 0) throw new InvalidReservationError('A reservation needs at least one item');
  const merged = new Map<string, number>();
  for (const item of items) {
    if (!Number.isInteger(item.quantity) || item.quantity < MIN_LINE_QUANTITY || item.quantity > MAX_LINE_QUANTITY) {
      throw new InvalidReservationError(
        `Quantity of product ${item.productId} must be an integer from ${MIN_LINE_QUANTITY} to ${MAX_LINE_QUANTITY}, got ${item.quantity}`,
      );
    }
    const productId = item.productId.toLowerCase();
    merged.set(productId, (merged.get(productId) ?? 0) + item.quantity);
  }
  return [...merged.entries()]
    .map(([productId, quantity]) => ({ productId, quantity }))
    .sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0));
}

/** A first Reserve for an order: all lines taken, or none and the products that could not be taken. */
export function firstReserveOutcome(unavailableProductIds: readonly string[]): ReservationOutcome {
  return unavailableProductIds.length === 0
    ? { status: 'RESERVED', unavailableProductIds: [] }
    : { status: 'REJECTED', unavailableProductIds: [...unavailableProductIds] };
}

/**
 * A Reserve for an order that already has a reservation answers with what is stored and touches no stock.
 * A tombstone (released before it was ever reserved) answers REJECTED: the order is cancelled, so a late
 * reservation must not take stock for it.
 */
export function repeatedReserveOutcome(current: ReservationState): ReservationOutcome {
  if (current.status === 'RELEASED' && !current.heldStock) return { status: 'REJECTED', unavailableProductIds: [] };
  return { status: current.status, unavailableProductIds: [...current.unavailableProductIds] };
}

export type ReleaseDecision =
  /** RESERVED: give the held units back and become RELEASED. */
  | { readonly kind: 'return-stock'; readonly next: 'RELEASED' }
  /** No reservation yet: record a RELEASED tombstone so that a later Reserve is rejected. */
  | { readonly kind: 'record-tombstone'; readonly next: 'RELEASED' }
  /** RELEASED or REJECTED: nothing is held, nothing changes; the answer is the current status. */
  | { readonly kind: 'unchanged'; readonly status: ReservationStatus };

export function decideRelease(orderId: string, current: ReservationStatus | undefined): ReleaseDecision {
  switch (current) {
    case undefined:
      return { kind: 'record-tombstone', next: 'RELEASED' };
    case 'RESERVED':
      return { kind: 'return-stock', next: 'RELEASED' };
    case 'RELEASED':
    case 'REJECTED':
      return { kind: 'unchanged', status: current };
    case 'COMMITTED':
      throw new ReservationTransitionError(orderId, current, 'RELEASED');
  }
}

export type CommitDecision =
  | { readonly kind: 'commit'; readonly next: 'COMMITTED' }
  | { readonly kind: 'unchanged'; readonly status: 'COMMITTED' };

export function decideCommit(orderId: string, current: ReservationStatus | undefined): CommitDecision {
  switch (current) {
    case 'RESERVED':
      return { kind: 'commit', next: 'COMMITTED' };
    case 'COMMITTED':
      return { kind: 'unchanged', status: current };
    case undefined:
    case 'RELEASED':
    case 'REJECTED':
      throw new ReservationTransitionError(orderId, current, 'COMMITTED');
  }
}
