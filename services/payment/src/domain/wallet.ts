/**
 * Event sourcing: the Wallet aggregate is rebuilt by folding its stream of events, decides each command against
 * that state, and records its decisions as new events (never as updates), so every cent has a history.
 * See docs/patterns/04-event-sourcing.md.
 */
import { DomainError } from '@shop/platform/errors';
import { balanceDelta, type DeclineReason, type WalletEvent } from './wallet-events';

/** The largest single deposit, in cents (one million dollars). */
export const MAX_DEPOSIT_CENTS = 100_000_000;

export type PaymentStatus = 'CHARGED' | 'DECLINED' | 'REFUNDED';

/** What this wallet recorded for one order: the first outcome is final. */
export interface OrderPayment {
  readonly orderId: string;
  readonly status: PaymentStatus;
  readonly amountCents: number;
  readonly declineReason?: DeclineReason;
}

export type ChargeOutcome =
  | { readonly status: 'CHARGED'; readonly amountCents: number }
  | { readonly status: 'DECLINED'; readonly amountCents: number; readonly reason: DeclineReason };

export interface ChargeFacts {
  /** A refund (saga compensation) for this order arrived before any charge: a late charge must not stand. */
  readonly orderVoided?: boolean;
}

export class Wallet {
  private opened = false;
  private balance = 0;
  private appliedVersion = 0;
  private readonly loadedVersion: number;
  private readonly deposits = new Map<string, number>();
  private readonly payments = new Map<string, OrderPayment>();
  private readonly recorded: WalletEvent[] = [];

  private constructor(
    readonly userId: string,
    history: readonly WalletEvent[],
  ) {
    for (const event of history) this.apply(event);
    this.loadedVersion = this.appliedVersion;
  }

  /** The wallet as its history left it; an empty history is a wallet not opened yet. */
  static fromHistory(userId: string, history: readonly WalletEvent[]): Wallet {
    return new Wallet(userId, history);
  }

  get isOpen(): boolean {
    return this.opened;
  }

  get balanceCents(): number {
    return this.balance;
  }

  /** Version after the events recorded so far, including those not yet stored. */
  get version(): number {
    return this.appliedVersion;
  }

  /** Version the stream had when this wallet was loaded: the expected version of the next append. */
  get expectedVersion(): number {
    return this.loadedVersion;
  }

  /** Events decided by this instance and not stored yet, oldest first. */
  get pendingEvents(): readonly WalletEvent[] {
    return this.recorded;
  }

  paymentFor(orderId: string): OrderPayment | undefined {
    return this.payments.get(orderId);
  }

  /** Opens the wallet; opening an open wallet changes nothing. */
  open(): void {
    if (!this.opened) this.record({ type: 'WalletOpened', data: { userId: this.userId } });
  }

  /** Adds funds once per deposit id: repeating a deposit changes nothing; reusing its id for another amount is refused. */
  deposit(depositId: string, amountCents: number): void {
    this.mustBeOpen();
    mustBeCents(amountCents, 'deposit');
    if (amountCents > MAX_DEPOSIT_CENTS) {
      throw new DomainError('WALLET.DEPOSIT_TOO_LARGE', 'invalid', `A deposit is at most ${MAX_DEPOSIT_CENTS} cents`);
    }
    const earlier = this.deposits.get(depositId);
    if (earlier === amountCents) return;
    if (earlier !== undefined) {
      throw new DomainError('WALLET.DEPOSIT_ID_REUSED', 'conflict', `Deposit ${depositId} was already recorded for ${earlier} cents`);
    }
    this.record({ type: 'FundsDeposited', data: { depositId, amountCents } });
  }

  /**
   * Charges an order once. A charge above the balance, or for a voided order, is declined and the decline is
   * recorded. The first outcome for an order is final: a repeated charge returns it and records nothing; for an
   * order charged and then refunded that answer is DECLINED `ORDER_VOIDED`, since no money of it is held any more,
   * so no caller can take the repeat for a payment and confirm the order.
   */
  charge(orderId: string, amountCents: number, facts: ChargeFacts = {}): ChargeOutcome {
    this.mustBeOpen();
    mustBeCents(amountCents, 'charge');
    const earlier = this.payments.get(orderId);
    if (earlier) {
      if (earlier.amountCents !== amountCents) {
        throw new DomainError(
          'PAYMENT.AMOUNT_MISMATCH',
          'conflict',
          `Order ${orderId} was already charged for ${earlier.amountCents} cents, not ${amountCents}`,
        );
      }
      if (earlier.status === 'DECLINED') return { status: 'DECLINED', amountCents, reason: earlier.declineReason ?? 'INSUFFICIENT_FUNDS' };
      if (earlier.status === 'REFUNDED') return { status: 'DECLINED', amountCents, reason: 'ORDER_VOIDED' };
      return { status: 'CHARGED', amountCents };
    }
    const reason: DeclineReason | undefined = facts.orderVoided
      ? 'ORDER_VOIDED'
      : amountCents > this.balance
        ? 'INSUFFICIENT_FUNDS'
        : undefined;
    if (reason) {
      this.record({ type: 'PaymentDeclined', data: { orderId, amountCents, reason } });
      return { status: 'DECLINED', amountCents, reason };
    }
    this.record({ type: 'PaymentCharged', data: { orderId, amountCents } });
    return { status: 'CHARGED', amountCents };
  }

  /**
   * Gives back exactly what an order was charged. Only a charged, not yet refunded order of this wallet can be
   * refunded; anything else is refused, so money is never returned twice or for a charge that never happened.
   */
  refund(orderId: string, amountCents?: number): OrderPayment {
    this.mustBeOpen();
    const payment = this.payments.get(orderId);
    if (!payment || payment.status === 'DECLINED') {
      throw new DomainError('PAYMENT.NOT_CHARGED', 'unprocessable', `This wallet never charged order ${orderId}`);
    }
    if (payment.status === 'REFUNDED') {
      throw new DomainError('PAYMENT.ALREADY_REFUNDED', 'conflict', `Order ${orderId} was already refunded`);
    }
    if (amountCents !== undefined && amountCents !== payment.amountCents) {
      throw new DomainError(
        'PAYMENT.REFUND_AMOUNT_MISMATCH',
        'invalid',
        `Order ${orderId} was charged ${payment.amountCents} cents; a refund returns exactly that`,
      );
    }
    this.record({ type: 'PaymentRefunded', data: { orderId, amountCents: payment.amountCents } });
    return { ...payment, status: 'REFUNDED' };
  }

  private record(event: WalletEvent): void {
    this.apply(event);
    this.recorded.push(event);
  }

  /** The fold: state changes only here, from events, whether they come from history or from a new decision. */
  private apply(event: WalletEvent): void {
    this.appliedVersion += 1;
    this.balance += balanceDelta(event);
    switch (event.type) {
      case 'WalletOpened':
        this.opened = true;
        break;
      case 'FundsDeposited':
        this.deposits.set(event.data.depositId, event.data.amountCents);
        break;
      case 'PaymentCharged':
        this.payments.set(event.data.orderId, { orderId: event.data.orderId, status: 'CHARGED', amountCents: event.data.amountCents });
        break;
      case 'PaymentDeclined':
        this.payments.set(event.data.orderId, {
          orderId: event.data.orderId,
          status: 'DECLINED',
          amountCents: event.data.amountCents,
          declineReason: event.data.reason,
        });
        break;
      case 'PaymentRefunded': {
        const charged = this.payments.get(event.data.orderId);
        this.payments.set(event.data.orderId, { orderId: event.data.orderId, status: 'REFUNDED', amountCents: charged?.amountCents ?? event.data.amountCents });
        break;
      }
    }
  }

  private mustBeOpen(): void {
    if (!this.opened) throw new DomainError('WALLET.NOT_OPEN', 'unprocessable', `The wallet of user ${this.userId} is not open`);
  }
}

function mustBeCents(amountCents: number, what: string): void {
  if (!Number.isSafeInteger(amountCents) || amountCents <= 0) {
    throw new DomainError('WALLET.INVALID_AMOUNT', 'invalid', `A ${what} is a positive whole number of cents, not ${amountCents}`);
  }
}
