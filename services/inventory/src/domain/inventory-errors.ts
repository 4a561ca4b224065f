import { DomainError } from '@shop/platform/errors';

/** A reservation request breaks a rule of its own (no items, a quantity out of range): nothing is written. */
export class InvalidReservationError extends DomainError {
  constructor(message: string) {
    super('RESERVATION.INVALID', 'invalid', message);
    this.name = 'InvalidReservationError';
  }
}

/** The reservation is not in a state that allows the requested transition (gRPC FAILED_PRECONDITION). */
export class ReservationTransitionError extends DomainError {
  constructor(
    readonly orderId: string,
    /** The current status; undefined when the order has no reservation. */
    readonly from: string | undefined,
    readonly to: string,
  ) {
    super(
      'RESERVATION.TRANSITION_NOT_ALLOWED',
      'unprocessable',
      from === undefined
        ? `Order ${orderId} has no reservation, so it cannot become ${to}`
        : `The reservation of order ${orderId} is ${from} and cannot become ${to}`,
      { orderId, from: from ?? null, to },
    );
    this.name = 'ReservationTransitionError';
  }
}

export class ProductNotFoundError extends DomainError {
  constructor(readonly productId: string) {
    super('PRODUCT.NOT_FOUND', 'not_found', `Product ${productId} does not exist`, { productId });
    this.name = 'ProductNotFoundError';
  }
}
