import { type EntityManager } from 'typeorm';
import { type ReservationLine, type ReservationOutcome, type ReservationState, type ReservationStatus } from '../../domain/reservation';

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
 * One database transaction of the inventory. `manager` is the transaction itself, so that other writes that
 * must commit or roll back with a stock change (an outbox row for inventory.reserved.v1) can join it.
 */
export interface InventoryTransaction {
  readonly manager: EntityManager;
  readonly stock: StockRepository;
  readonly reservations: ReservationRepository;
}

export interface InventoryTransactions {
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  run<T>(work: (tx: InventoryTransaction) => Promise<T>): Promise<T>;
}

export const INVENTORY_TRANSACTIONS = Symbol('INVENTORY_TRANSACTIONS');
