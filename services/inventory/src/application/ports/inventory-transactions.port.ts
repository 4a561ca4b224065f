import { type EntityManager } from 'typeorm';
import { type ReservationLine, type ReservationOutcome, type ReservationState, type ReservationStatus } from '../../domain/reservation';
import { type InventoryEvents } from './inventory-events.port';

/** Units available to reserve, per product. Every method runs inside the caller's transaction. */
export interface StockRepository {
  /**
   * Takes every line or none: product rows are updated in the given order, each only while enough stock is
   * left; if any line cannot be taken, everything taken here is undone. Returns the products that could not
   * be taken (unknown or short), empty when all were taken.
   */
  takeAllOrNothing(lines: readonly ReservationLine[]): Promise<string[]>;
  giveBack(lines: readonly ReservationLine[]): Promise<void>;
}

/** Reservations, one per order id. Every method runs inside the caller's transaction. */
export interface ReservationRepository {
  /** Inserts the reservation unless one exists for the order; false when one did (nothing is written then). */
  insertIfAbsent(orderId: string, outcome: ReservationOutcome): Promise<boolean>;
  /** Reads the reservation and locks it until the transaction ends, so transitions of one order run one at a time. */
  lock(orderId: string): Promise<ReservationState | undefined>;
  /** The lines a reservation holds, sorted by product id. */
  lines(orderId: string): Promise<ReservationLine[]>;
  addLines(orderId: string, lines: readonly ReservationLine[]): Promise<void>;
  setOutcome(orderId: string, outcome: ReservationOutcome): Promise<void>;
  setStatus(orderId: string, status: ReservationStatus): Promise<void>;
}

/**
 * One database transaction of the inventory. `manager` is the transaction itself; `events` writes the outbox
 * rows (inventory.reserved.v1, ...) that must commit or roll back with the stock change they report.
 */
export interface InventoryTransaction {
  readonly manager: EntityManager;
  readonly stock: StockRepository;
  readonly reservations: ReservationRepository;
  readonly events: InventoryEvents;
}

export interface InventoryTransactions {
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  run<T>(work: (tx: InventoryTransaction) => Promise<T>): Promise<T>;
  /**
   * The same repositories over a transaction the caller opened (a consumer's inbox transaction), so the handled
   * message's id, the stock change and the outbox rows commit together. The caller commits or rolls back.
   */
  join(transaction: EntityManager): InventoryTransaction;
}

export const INVENTORY_TRANSACTIONS = Symbol('INVENTORY_TRANSACTIONS');
