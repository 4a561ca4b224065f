import { randomUUID } from 'node:crypto';
import { ChargePaymentHandler } from '../src/application/commands/charge-payment.command';
import { type AppendRequest, type EventStore } from '../src/application/ports/event-store.port';
import { WalletStore } from '../src/application/wallet-store';
import { walletStreamId } from '../src/domain/wallet-events';
import { PostgresOrderPayments } from '../src/infrastructure/persistence/order-payments.repository';
import { migratedDatabase, openStack, sleep, type PaymentStack } from './payment-fixture';

/** A refund (saga compensation) can overtake the charge it compensates; the void marker keeps the order unpaid. */
describe('refunds and void markers', () => {
  let database: { url: string; drop: () => Promise<void> };
  let stack: PaymentStack;

  beforeAll(async () => {
    database = await migratedDatabase('payment_void');
    stack = await openStack(database.url, 8);
  });

  afterAll(async () => {
    await stack.dataSource.destroy();
    await database.drop();
  });

  const types = async (userId: string): Promise<string[]> =>
    (await stack.eventStore.readStream(walletStreamId(userId))).map((event) => event.type);

  it('voids an order refunded before it was charged, then declines the late charge with ORDER_VOIDED', async () => {
    const userId = randomUUID();
    const orderId = randomUUID();
    await stack.deposit.execute({ userId, depositId: randomUUID(), amountCents: 1_000 });

    expect(await stack.refund.execute({ orderId })).toEqual({ orderId, refunded: false, amountCents: 0, voided: true });
    const [marker] = await stack.dataSource.query(`SELECT order_id FROM voided_orders WHERE order_id = $1`, [orderId]);
    expect(marker).toEqual({ order_id: orderId });

    const charge = await stack.charge.execute({ userId, orderId, amountCents: 400 });
    expect(charge).toEqual({ orderId, status: 'DECLINED', amountCents: 400, balanceCents: 1_000, declineReason: 'ORDER_VOIDED' });
    expect((await stack.balance.execute({ userId })).balanceCents).toBe(1_000);
    expect(await types(userId)).toEqual(['WalletOpened', 'FundsDeposited', 'PaymentDeclined']);
    const [declined] = (await stack.eventStore.readStream(walletStreamId(userId))).slice(-1);
    expect(declined?.data).toEqual({ orderId, amountCents: 400, reason: 'ORDER_VOIDED' });

    // The late charge repeated, and the refund repeated: nothing changes.
    expect((await stack.charge.execute({ userId, orderId, amountCents: 400 })).declineReason).toBe('ORDER_VOIDED');
    expect(await stack.refund.execute({ orderId })).toEqual({ orderId, refunded: false, amountCents: 0, voided: false });
    expect(await types(userId)).toHaveLength(3);
  });

  it('refunds a charged order once: a repeated refund answers refunded with no second event', async () => {
    const userId = randomUUID();
    const orderId = randomUUID();
    await stack.deposit.execute({ userId, depositId: randomUUID(), amountCents: 1_000 });
    await stack.charge.execute({ userId, orderId, amountCents: 400 });
    expect((await stack.balance.execute({ userId })).balanceCents).toBe(600);

    expect(await stack.refund.execute({ orderId })).toEqual({ orderId, refunded: true, amountCents: 400, voided: false });
    expect(await stack.refund.execute({ orderId })).toEqual({ orderId, refunded: true, amountCents: 400, voided: false });

    expect((await stack.balance.execute({ userId })).balanceCents).toBe(1_000);
    expect(await types(userId)).toEqual(['WalletOpened', 'FundsDeposited', 'PaymentCharged', 'PaymentRefunded']);
    const [row] = await stack.dataSource.query(`SELECT status, amount_cents FROM order_payments WHERE order_id = $1`, [orderId]);
    expect(row).toEqual({ status: 'REFUNDED', amount_cents: '400' });
  });

  it('gives nothing back for a declined order', async () => {
    const userId = randomUUID();
    const orderId = randomUUID();
    await stack.deposit.execute({ userId, depositId: randomUUID(), amountCents: 100 });
    expect((await stack.charge.execute({ userId, orderId, amountCents: 400 })).status).toBe('DECLINED');

    expect(await stack.refund.execute({ orderId })).toEqual({ orderId, refunded: false, amountCents: 0, voided: false });
    expect((await stack.balance.execute({ userId })).balanceCents).toBe(100);
    expect(await types(userId)).toEqual(['WalletOpened', 'FundsDeposited', 'PaymentDeclined']);
  });

  it('declines a charge decided before a refund voided its order but appended after it', async () => {
    const userId = randomUUID();
    const orderId = randomUUID();
    await stack.deposit.execute({ userId, depositId: randomUUID(), amountCents: 1_000 });
    // The refund lands exactly between the charge's decision (not voided yet) and its append.
    let refundedInBetween = false;
    const interleaving: EventStore = {
      readStream: (streamId, options) => stack.eventStore.readStream(streamId, options),
      append: async (request: AppendRequest) => {
        if (!refundedInBetween && request.events.some((event) => event.type === 'PaymentCharged')) {
          refundedInBetween = true;
          expect(await stack.refund.execute({ orderId })).toMatchObject({ refunded: false, voided: true });
        }
        return stack.eventStore.append(request);
      },
    };
    const charge = new ChargePaymentHandler(new WalletStore(interleaving), new PostgresOrderPayments(stack.dataSource));

    expect(await charge.execute({ userId, orderId, amountCents: 400 })).toMatchObject({ status: 'DECLINED', declineReason: 'ORDER_VOIDED' });
    expect(refundedInBetween).toBe(true);
    expect(await types(userId)).toEqual(['WalletOpened', 'FundsDeposited', 'PaymentDeclined']);
    expect((await stack.balance.execute({ userId })).balanceCents).toBe(1_000);
  });

  it('never leaves an order charged when its refund races the charge', async () => {
    const userId = randomUUID();
    await stack.deposit.execute({ userId, depositId: randomUUID(), amountCents: 100_000 });
    const orderIds = Array.from({ length: 30 }, () => randomUUID());

    await Promise.all(
      orderIds.flatMap((orderId, i) => [
        stack.charge.execute({ userId, orderId, amountCents: 100 }),
        sleep(i % 15).then(() => stack.refund.execute({ orderId })),
      ]),
    );

    const wallet = await stack.wallets.load(userId);
    for (const orderId of orderIds) {
      const payment = wallet.paymentFor(orderId);
      // Either the charge went first and was refunded, or the void went first and the charge was declined.
      if (payment?.status === 'DECLINED') expect(payment.declineReason).toBe('ORDER_VOIDED');
      else expect(payment?.status).toBe('REFUNDED');
    }
    expect(wallet.balanceCents).toBe(100_000);
    expect((await stack.balance.execute({ userId })).balanceCents).toBe(100_000);
  });

  it('refuses to charge an order already recorded for another wallet', async () => {
    const orderId = randomUUID();
    const owner = randomUUID();
    await stack.deposit.execute({ userId: owner, depositId: randomUUID(), amountCents: 500 });
    await stack.charge.execute({ userId: owner, orderId, amountCents: 100 });

    await expect(stack.charge.execute({ userId: randomUUID(), orderId, amountCents: 100 })).rejects.toMatchObject({
      code: 'PAYMENT.ORDER_OF_ANOTHER_WALLET',
      category: 'conflict',
    });
  });
});
