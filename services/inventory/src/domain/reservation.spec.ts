import { InvalidReservationError, ReservationTransitionError } from './inventory-errors';
import {
  decideCommit,
  decideRelease,
  firstReserveOutcome,
  repeatedReserveOutcome,
  reservationLines,
  type ReservationStatus,
} from './reservation';

const ORDER = '7d0c1f55-51a4-4c71-9a43-0a9d3a3c2d10';
const COFFEE = 'b210ed78-90a0-4c9a-b381-ffbd333bd36c';
const KETTLE = '5712e5ea-04f9-4ae6-b0e0-404f9dbc11c8';

describe('reservation lines', () => {
  it('merges duplicate products into one line with the summed quantity', () => {
    expect(
      reservationLines([
        { productId: COFFEE, quantity: 2 },
        { productId: KETTLE, quantity: 1 },
        { productId: COFFEE, quantity: 3 },
      ]),
    ).toEqual([
      { productId: KETTLE, quantity: 1 },
      { productId: COFFEE, quantity: 5 },
    ]);
  });

  it('sorts lines by product id so that concurrent reservations lock rows in the same order', () => {
    const lines = reservationLines([
      { productId: 'ffffffff-0000-4000-8000-000000000000', quantity: 1 },
      { productId: '00000000-0000-4000-8000-000000000001', quantity: 1 },
      { productId: '7fffffff-0000-4000-8000-000000000000', quantity: 1 },
    ]);
    expect(lines.map((line) => line.productId[0])).toEqual(['0', '7', 'f']);
  });

  it('treats ids that differ only in letter case as the same product', () => {
    expect(reservationLines([{ productId: COFFEE.toUpperCase(), quantity: 1 }, { productId: COFFEE, quantity: 1 }])).toEqual([
      { productId: COFFEE, quantity: 2 },
    ]);
  });

  it('rejects a reservation without items', () => {
    expect(() => reservationLines([])).toThrow(InvalidReservationError);
  });

  it.each([0, -1, 101, 1.5, Number.NaN])('rejects a quantity of %p', (quantity) => {
    expect(() => reservationLines([{ productId: COFFEE, quantity }])).toThrow(InvalidReservationError);
  });

  it('accepts the bounds 1 and 100', () => {
    expect(reservationLines([{ productId: COFFEE, quantity: 1 }, { productId: KETTLE, quantity: 100 }])).toHaveLength(2);
  });
});

describe('reserve outcomes', () => {
  it('is RESERVED when every line was taken', () => {
    expect(firstReserveOutcome([])).toEqual({ status: 'RESERVED', unavailableProductIds: [] });
  });

  it('is REJECTED naming the products that could not be taken', () => {
    expect(firstReserveOutcome([KETTLE])).toEqual({ status: 'REJECTED', unavailableProductIds: [KETTLE] });
  });

  it.each<[ReservationStatus, string[]]>([
    ['RESERVED', []],
    ['REJECTED', [KETTLE]],
    ['COMMITTED', []],
    ['RELEASED', []],
  ])('answers a repeated Reserve of a %s reservation that held stock with what is stored', (status, unavailableProductIds) => {
    expect(repeatedReserveOutcome({ status, unavailableProductIds, heldStock: status !== 'REJECTED' })).toEqual({
      status,
      unavailableProductIds,
    });
  });

  it('rejects a Reserve that arrives after the order was released (tombstone)', () => {
    expect(repeatedReserveOutcome({ status: 'RELEASED', unavailableProductIds: [], heldStock: false })).toEqual({
      status: 'REJECTED',
      unavailableProductIds: [],
    });
  });
});

describe('release', () => {
  it('gives stock back when the reservation is RESERVED', () => {
    expect(decideRelease(ORDER, 'RESERVED')).toEqual({ kind: 'return-stock', next: 'RELEASED' });
  });

  it('records a tombstone when no reservation exists yet', () => {
    expect(decideRelease(ORDER, undefined)).toEqual({ kind: 'record-tombstone', next: 'RELEASED' });
  });

  it.each<ReservationStatus>(['RELEASED', 'REJECTED'])('changes nothing when the reservation is already %s', (status) => {
    expect(decideRelease(ORDER, status)).toEqual({ kind: 'unchanged', status });
  });

  it('refuses to release a COMMITTED reservation', () => {
    expect(() => decideRelease(ORDER, 'COMMITTED')).toThrow(ReservationTransitionError);
  });
});

describe('commit', () => {
  it('commits a RESERVED reservation', () => {
    expect(decideCommit(ORDER, 'RESERVED')).toEqual({ kind: 'commit', next: 'COMMITTED' });
  });

  it('changes nothing when the reservation is already COMMITTED', () => {
    expect(decideCommit(ORDER, 'COMMITTED')).toEqual({ kind: 'unchanged', status: 'COMMITTED' });
  });

  it.each<ReservationStatus | undefined>(['RELEASED', 'REJECTED', undefined])('refuses to commit a reservation that is %p', (status) => {
    const error = thrownBy(() => decideCommit(ORDER, status));
    expect(error).toBeInstanceOf(ReservationTransitionError);
    expect(error).toMatchObject({ category: 'unprocessable', code: 'RESERVATION.TRANSITION_NOT_ALLOWED' });
  });
});

function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the action to throw');
}
