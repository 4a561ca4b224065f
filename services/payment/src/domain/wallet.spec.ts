import { DomainError } from '@shop/platform/errors';
import { MAX_DEPOSIT_CENTS, Wallet } from './wallet';
import { balanceDelta, decodeWalletEvent, userIdOfWalletStream, walletStreamId, type WalletEvent } from './wallet-events';

const USER = 'a11ce000-0000-4000-8000-000000000001';

/** A wallet loaded from a history that opened it and deposited `cents`. */
function walletWith(cents: number, more: WalletEvent[] = []): Wallet {
  return Wallet.fromHistory(USER, [
    { type: 'WalletOpened', data: { userId: USER } },
    { type: 'FundsDeposited', data: { depositId: 'd-1', amountCents: cents } },
    ...more,
  ]);
}

function errorCode(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
  return undefined;
}

describe('Wallet', () => {
  describe('given an empty history', () => {
    it('is not open, holds nothing and opens by recording WalletOpened', () => {
      const wallet = Wallet.fromHistory(USER, []);
      expect(wallet.isOpen).toBe(false);
      expect(wallet.balanceCents).toBe(0);
      wallet.open();
      expect(wallet.pendingEvents).toEqual([{ type: 'WalletOpened', data: { userId: USER } }]);
      expect(wallet.version).toBe(1);
      expect(wallet.expectedVersion).toBe(0);
    });

    it('refuses a deposit before the wallet is opened', () => {
      expect(errorCode(() => Wallet.fromHistory(USER, []).deposit('d-1', 100))).toBe('WALLET.NOT_OPEN');
    });
  });

  describe('open', () => {
    it('records nothing when the wallet is already open', () => {
      const wallet = walletWith(0);
      wallet.open();
      expect(wallet.pendingEvents).toEqual([]);
    });
  });

  describe('deposit', () => {
    it('adds the amount to the balance through a FundsDeposited event', () => {
      const wallet = walletWith(1_000);
      wallet.deposit('d-2', 250);
      expect(wallet.balanceCents).toBe(1_250);
      expect(wallet.pendingEvents).toEqual([{ type: 'FundsDeposited', data: { depositId: 'd-2', amountCents: 250 } }]);
    });

    it('counts a repeated deposit id once', () => {
      const wallet = walletWith(1_000);
      wallet.deposit('d-1', 1_000);
      wallet.deposit('d-2', 500);
      wallet.deposit('d-2', 500);
      expect(wallet.balanceCents).toBe(1_500);
      expect(wallet.pendingEvents).toHaveLength(1);
    });

    it('refuses a deposit id reused for another amount', () => {
      expect(errorCode(() => walletWith(1_000).deposit('d-1', 999))).toBe('WALLET.DEPOSIT_ID_REUSED');
    });

    it.each([0, -5, 1.5, Number.NaN])('refuses %p cents as an amount', (amount) => {
      expect(errorCode(() => walletWith(0).deposit('d-9', amount))).toBe('WALLET.INVALID_AMOUNT');
    });

    it('accepts the largest deposit and refuses one cent more', () => {
      const wallet = walletWith(0);
      wallet.deposit('d-max', MAX_DEPOSIT_CENTS);
      expect(wallet.balanceCents).toBe(MAX_DEPOSIT_CENTS);
      expect(errorCode(() => wallet.deposit('d-over', MAX_DEPOSIT_CENTS + 1))).toBe('WALLET.DEPOSIT_TOO_LARGE');
    });
  });

  describe('charge', () => {
    it('takes the amount from the balance through a PaymentCharged event', () => {
      const wallet = walletWith(1_000);
      expect(wallet.charge('o-1', 400)).toEqual({ status: 'CHARGED', amountCents: 400 });
      expect(wallet.balanceCents).toBe(600);
      expect(wallet.pendingEvents).toEqual([{ type: 'PaymentCharged', data: { orderId: 'o-1', amountCents: 400 } }]);
    });

    it('charges the whole balance down to zero', () => {
      const wallet = walletWith(1_000);
      expect(wallet.charge('o-1', 1_000).status).toBe('CHARGED');
      expect(wallet.balanceCents).toBe(0);
    });

    it('declines a charge above the balance and records the decline', () => {
      const wallet = walletWith(1_000);
      expect(wallet.charge('o-1', 1_001)).toEqual({ status: 'DECLINED', amountCents: 1_001, reason: 'INSUFFICIENT_FUNDS' });
      expect(wallet.balanceCents).toBe(1_000);
      expect(wallet.pendingEvents).toEqual([
        { type: 'PaymentDeclined', data: { orderId: 'o-1', amountCents: 1_001, reason: 'INSUFFICIENT_FUNDS' } },
      ]);
    });

    it('declines a voided order with ORDER_VOIDED even when the balance would cover it', () => {
      const wallet = walletWith(1_000);
      expect(wallet.charge('o-1', 100, { orderVoided: true })).toEqual({ status: 'DECLINED', amountCents: 100, reason: 'ORDER_VOIDED' });
      expect(wallet.balanceCents).toBe(1_000);
    });

    it('ignores a second charge of the same order: the first outcome stands and nothing is recorded', () => {
      const wallet = walletWith(1_000, [{ type: 'PaymentCharged', data: { orderId: 'o-1', amountCents: 300 } }]);
      expect(wallet.charge('o-1', 300)).toEqual({ status: 'CHARGED', amountCents: 300 });
      expect(wallet.balanceCents).toBe(700);
      expect(wallet.pendingEvents).toEqual([]);
    });

    it('keeps a decline final: the same order is not charged after a deposit', () => {
      const wallet = walletWith(100, [{ type: 'PaymentDeclined', data: { orderId: 'o-1', amountCents: 300, reason: 'INSUFFICIENT_FUNDS' } }]);
      wallet.deposit('d-2', 1_000);
      expect(wallet.charge('o-1', 300)).toEqual({ status: 'DECLINED', amountCents: 300, reason: 'INSUFFICIENT_FUNDS' });
      expect(wallet.balanceCents).toBe(1_100);
    });

    it('refuses a repeated charge of an order for a different amount', () => {
      const wallet = walletWith(1_000, [{ type: 'PaymentCharged', data: { orderId: 'o-1', amountCents: 300 } }]);
      expect(errorCode(() => wallet.charge('o-1', 301))).toBe('PAYMENT.AMOUNT_MISMATCH');
    });

    it('refuses a charge that is not positive whole cents', () => {
      expect(errorCode(() => walletWith(1_000).charge('o-1', 0))).toBe('WALLET.INVALID_AMOUNT');
    });
  });

  describe('refund', () => {
    it('gives back exactly the charged amount through a PaymentRefunded event', () => {
      const wallet = walletWith(1_000, [{ type: 'PaymentCharged', data: { orderId: 'o-1', amountCents: 300 } }]);
      expect(wallet.refund('o-1')).toEqual({ orderId: 'o-1', status: 'REFUNDED', amountCents: 300 });
      expect(wallet.balanceCents).toBe(1_000);
      expect(wallet.pendingEvents).toEqual([{ type: 'PaymentRefunded', data: { orderId: 'o-1', amountCents: 300 } }]);
      expect(wallet.paymentFor('o-1')?.status).toBe('REFUNDED');
    });

    it('refuses a refund of an order this wallet never charged', () => {
      expect(errorCode(() => walletWith(1_000).refund('o-unknown'))).toBe('PAYMENT.NOT_CHARGED');
    });

    it('refuses a refund of a declined order', () => {
      const wallet = walletWith(100, [{ type: 'PaymentDeclined', data: { orderId: 'o-1', amountCents: 300, reason: 'INSUFFICIENT_FUNDS' } }]);
      expect(errorCode(() => wallet.refund('o-1'))).toBe('PAYMENT.NOT_CHARGED');
    });

    it('refuses a second refund of the same order, so money is returned once', () => {
      const wallet = walletWith(1_000, [
        { type: 'PaymentCharged', data: { orderId: 'o-1', amountCents: 300 } },
        { type: 'PaymentRefunded', data: { orderId: 'o-1', amountCents: 300 } },
      ]);
      expect(errorCode(() => wallet.refund('o-1'))).toBe('PAYMENT.ALREADY_REFUNDED');
      expect(wallet.balanceCents).toBe(1_000);
      expect(wallet.pendingEvents).toEqual([]);
    });

    it('refuses a refund for any amount other than the charged one', () => {
      const wallet = walletWith(1_000, [{ type: 'PaymentCharged', data: { orderId: 'o-1', amountCents: 300 } }]);
      expect(errorCode(() => wallet.refund('o-1', 200))).toBe('PAYMENT.REFUND_AMOUNT_MISMATCH');
    });

    it('keeps a refunded order charged-once: charging it again is declined ORDER_VOIDED and records nothing', () => {
      const wallet = walletWith(1_000, [
        { type: 'PaymentCharged', data: { orderId: 'o-1', amountCents: 300 } },
        { type: 'PaymentRefunded', data: { orderId: 'o-1', amountCents: 300 } },
      ]);
      expect(wallet.charge('o-1', 300)).toEqual({ status: 'DECLINED', amountCents: 300, reason: 'ORDER_VOIDED' });
      expect(wallet.balanceCents).toBe(1_000);
      expect(wallet.pendingEvents).toEqual([]);
    });
  });

  describe('fromHistory', () => {
    it('folds the balance and the version from the events', () => {
      const wallet = walletWith(1_000, [
        { type: 'PaymentCharged', data: { orderId: 'o-1', amountCents: 300 } },
        { type: 'PaymentDeclined', data: { orderId: 'o-2', amountCents: 5_000, reason: 'INSUFFICIENT_FUNDS' } },
        { type: 'PaymentRefunded', data: { orderId: 'o-1', amountCents: 300 } },
        { type: 'PaymentCharged', data: { orderId: 'o-3', amountCents: 450 } },
      ]);
      expect(wallet.balanceCents).toBe(550);
      expect(wallet.version).toBe(6);
      expect(wallet.expectedVersion).toBe(6);
      expect(wallet.pendingEvents).toEqual([]);
    });
  });
});

describe('wallet events', () => {
  it('move the balance up on deposits and refunds, down on charges, and not at all otherwise', () => {
    expect(balanceDelta({ type: 'FundsDeposited', data: { depositId: 'd', amountCents: 5 } })).toBe(5);
    expect(balanceDelta({ type: 'PaymentRefunded', data: { orderId: 'o', amountCents: 7 } })).toBe(7);
    expect(balanceDelta({ type: 'PaymentCharged', data: { orderId: 'o', amountCents: 7 } })).toBe(-7);
    expect(balanceDelta({ type: 'PaymentDeclined', data: { orderId: 'o', amountCents: 7, reason: 'INSUFFICIENT_FUNDS' } })).toBe(0);
    expect(balanceDelta({ type: 'WalletOpened', data: { userId: USER } })).toBe(0);
  });

  it('name one stream per user and read the user back from it', () => {
    expect(walletStreamId(USER)).toBe(`wallet-${USER}`);
    expect(userIdOfWalletStream(walletStreamId(USER))).toBe(USER);
    expect(userIdOfWalletStream('order-1')).toBeUndefined();
  });

  it('decode a stored event and refuse an unknown type, schema version or malformed data', () => {
    expect(decodeWalletEvent('PaymentCharged', 1, { orderId: 'o-1', amountCents: 10 })).toEqual({
      type: 'PaymentCharged',
      data: { orderId: 'o-1', amountCents: 10 },
    });
    expect(errorCode(() => decodeWalletEvent('WalletClosed', 1, {}))).toBe('WALLET.EVENT_UNDECODABLE');
    expect(errorCode(() => decodeWalletEvent('PaymentCharged', 2, { orderId: 'o-1', amountCents: 10 }))).toBe('WALLET.EVENT_UNDECODABLE');
    expect(errorCode(() => decodeWalletEvent('PaymentCharged', 1, { orderId: 'o-1', amountCents: '10' }))).toBe('WALLET.EVENT_UNDECODABLE');
    expect(errorCode(() => decodeWalletEvent('PaymentDeclined', 1, { orderId: 'o-1', amountCents: 10, reason: 'BORED' }))).toBe(
      'WALLET.EVENT_UNDECODABLE',
    );
  });
});
