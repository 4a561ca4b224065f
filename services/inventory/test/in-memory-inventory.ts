import { type InventoryRejectedV1Data, type InventoryReleasedV1Data, type InventoryReservedV1Data } from '@shop/contracts';
import { type EntityManager } from 'typeorm';
import { type InventoryEvents, type MessageCause } from '../src/application/ports/inventory-events.port';
import {
  type InventoryTransaction,
  type ReservationRepository,
  type StockRepository,
} from '../src/application/ports/inventory-transactions.port';
import { type ReservationLine, type ReservationOutcome, type ReservationState, type ReservationStatus } from '../src/domain/reservation';

type Published =
  | { readonly type: 'reserved'; readonly data: InventoryReservedV1Data; readonly cause: MessageCause }
  | { readonly type: 'rejected'; readonly data: InventoryRejectedV1Data; readonly cause: MessageCause }
  | { readonly type: 'released'; readonly data: InventoryReleasedV1Data; readonly cause: MessageCause };

/**
 * An in-memory inventory transaction, for unit specs only: stock per product, reservations with their lines, and
 * the events written to the "outbox". It keeps the rules of the SQL repositories (all or nothing, one row per order).
 */
export class InMemoryInventory implements StockRepository, ReservationRepository, InventoryEvents {
  readonly stock = new Map<string, number>();
  readonly reservations = new Map<string, { outcome: ReservationOutcome; lines: ReservationLine[] }>();
  readonly published: Published[] = [];

  transaction(): InventoryTransaction {
    // No database behind it: the event handlers never touch `manager` themselves.
    return { manager: undefined as unknown as EntityManager, stock: this, reservations: this, events: this };
  }

  async takeAllOrNothing(lines: readonly ReservationLine[]): Promise<string[]> {
    const unavailable = lines.filter((line) => (this.stock.get(line.productId) ?? 0) < line.quantity).map((line) => line.productId);
    if (unavailable.length === 0) for (const line of lines) this.stock.set(line.productId, (this.stock.get(line.productId) ?? 0) - line.quantity);
    return unavailable;
  }

  async giveBack(lines: readonly ReservationLine[]): Promise<void> {
    for (const line of lines) this.stock.set(line.productId, (this.stock.get(line.productId) ?? 0) + line.quantity);
  }

  async insertIfAbsent(orderId: string, outcome: ReservationOutcome): Promise<boolean> {
    if (this.reservations.has(orderId)) return false;
    this.reservations.set(orderId, { outcome, lines: [] });
    return true;
  }

  async lock(orderId: string): Promise<ReservationState | undefined> {
    const reservation = this.reservations.get(orderId);
    return reservation && { ...reservation.outcome, heldStock: reservation.lines.length > 0 };
  }

  async lines(orderId: string): Promise<ReservationLine[]> {
    return [...(this.reservations.get(orderId)?.lines ?? [])];
  }

  async addLines(orderId: string, lines: readonly ReservationLine[]): Promise<void> {
    this.reservations.get(orderId)?.lines.push(...lines);
  }

  async setOutcome(orderId: string, outcome: ReservationOutcome): Promise<void> {
    const reservation = this.reservations.get(orderId);
    if (reservation) reservation.outcome = outcome;
  }

  async setStatus(orderId: string, status: ReservationStatus): Promise<void> {
    const reservation = this.reservations.get(orderId);
    if (reservation) reservation.outcome = { ...reservation.outcome, status };
  }

  async reserved(data: InventoryReservedV1Data, cause: MessageCause): Promise<void> {
    this.published.push({ type: 'reserved', data, cause });
  }

  async rejected(data: InventoryRejectedV1Data, cause: MessageCause): Promise<void> {
    this.published.push({ type: 'rejected', data, cause });
  }

  async released(data: InventoryReleasedV1Data, cause: MessageCause): Promise<void> {
    this.published.push({ type: 'released', data, cause });
  }
}
