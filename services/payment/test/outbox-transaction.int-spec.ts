import { randomUUID } from 'node:crypto';
import { PAYMENT_CHARGED_V1, PAYMENT_DECLINED_V1 } from '@shop/contracts';
import { envelope, handleOnce } from '@shop/messaging';
import { ChargePaymentHandler } from '../src/application/commands/charge-payment.command';
import { DepositFundsHandler } from '../src/application/commands/deposit-funds.command';
import { WalletStore } from '../src/application/wallet-store';
import { walletStreamId } from '../src/domain/wallet-events';
import { PaymentEventsPublisher } from '../src/infrastructure/messaging/payment-events.publisher';
import { PostgresOrderPayments } from '../src/infrastructure/persistence/order-payments.repository';
import { type AppendedEventsOutbox, PostgresEventStore } from '../src/infrastructure/persistence/postgres-event-store';
import { PostgresWalletTransactions } from '../src/infrastructure/persistence/wallet-transactions';
import { replayProjections } from '../src/infrastructure/projections/replay-projections';
import { walletProjections } from '../src/infrastructure/projections/wallet-projections';
import { migratedDatabase, openStack, type PaymentStack } from './payment-fixture';

interface OutboxRow {
  topic: string;
  message_key: string;
  envelope: { type: string; correlationId: string; causationId: string | null; data: Record<string, unknown> };
}

/** The outgoing events commit with the event-store append that records them, and with a consumer's inbox row. */
describe('payment events in the outbox', () => {
  let database: { url: string; drop: () => Promise<void> };
  let stack: PaymentStack;
  const publisher = new PaymentEventsPublisher();

  beforeAll(async () => {
    database = await migratedDatabase('payment_outbox');
    stack = await openStack(database.url, 12);
  });

  afterAll(async () => {
    await stack.dataSource.destroy();
    await database.drop();
  });

  const commandsOver = (outbox: AppendedEventsOutbox): { deposit: DepositFundsHandler; charge: ChargePaymentHandler } => {
    const wallets = new WalletStore(new PostgresEventStore(stack.dataSource, walletProjections(), outbox));
    return { deposit: new DepositFundsHandler(wallets), charge: new ChargePaymentHandler(wallets, new PostgresOrderPayments(stack.dataSource)) };
  };
  const outboxOf = (orderId: string): Promise<OutboxRow[]> =>
    stack.dataSource.query(`SELECT topic, message_key, envelope FROM outbox WHERE message_key = $1 ORDER BY position`, [orderId]);
  const eventsOf = async (userId: string): Promise<string[]> => (await stack.eventStore.readStream(walletStreamId(userId))).map((e) => e.type);
  const count = async (table: 'outbox' | 'inbox' | 'events'): Promise<number> =>
    (await stack.dataSource.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n;

  it('writes payment.charged.v1 on payments.events.v1, keyed by the order, with the command\'s correlation and cause', async () => {
    const [userId, orderId, correlationId, causationId] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const commands = commandsOver(publisher);
    await commands.deposit.execute({ userId, depositId: randomUUID(), amountCents: 1_000 });

    await commands.charge.execute({ userId, orderId, amountCents: 300, correlationId, causationId });

    const [row, ...more] = await outboxOf(orderId);
    expect(more).toEqual([]);
    expect(row).toMatchObject({
      topic: 'payments.events.v1',
      message_key: orderId,
      envelope: { type: PAYMENT_CHARGED_V1, correlationId, causationId, data: { orderId, userId, amountCents: 300 } },
    });
  });

  it('writes nothing for wallet openings and deposits, which stay inside payment', async () => {
    const before = await count('outbox');
    await commandsOver(publisher).deposit.execute({ userId: randomUUID(), depositId: randomUUID(), amountCents: 500 });
    expect(await count('outbox')).toBe(before);
  });

  it('rolls the outbox row back with the events and projections when the append fails after writing it', async () => {
    const [userId, orderId] = [randomUUID(), randomUUID()];
    await commandsOver(publisher).deposit.execute({ userId, depositId: randomUUID(), amountCents: 1_000 });
    const failing: AppendedEventsOutbox = {
      add: async (tx, recorded) => {
        await publisher.add(tx, recorded);
        throw new Error('the transaction fails after the outbox insert');
      },
    };

    await expect(commandsOver(failing).charge.execute({ userId, orderId, amountCents: 300 })).rejects.toThrow('after the outbox insert');

    expect(await outboxOf(orderId)).toEqual([]);
    expect(await eventsOf(userId)).toEqual(['WalletOpened', 'FundsDeposited']);
    expect((await stack.balance.execute({ userId })).balanceCents).toBe(1_000);
  });

  it('commits the inbox row, the events and the outbox row of a message together, and a duplicate changes nothing', async () => {
    const [userId, orderId] = [randomUUID(), randomUUID()];
    await commandsOver(publisher).deposit.execute({ userId, depositId: randomUUID(), amountCents: 1_000 });
    const transactions = new PostgresWalletTransactions(walletProjections(), publisher);
    const message = envelope('inventory.reserved.v1', { orderId }, { correlationId: orderId });
    const charge = (after: () => void) =>
      handleOnce(stack.dataSource, 'spec-consumer', message, async (tx) => {
        await transactions.join(tx).charge.execute({ userId, orderId, amountCents: 400, causationId: message.id });
        after();
      });

    await expect(
      charge(() => {
        throw new Error('the consumer fails after the charge');
      }),
    ).rejects.toThrow('after the charge');
    expect(await outboxOf(orderId)).toEqual([]);
    expect(await eventsOf(userId)).toEqual(['WalletOpened', 'FundsDeposited']);
    expect((await stack.dataSource.query(`SELECT 1 FROM inbox WHERE message_id = $1`, [message.id])).length).toBe(0);

    expect(await charge(() => undefined)).toBe('handled');
    expect(await charge(() => undefined)).toBe('duplicate');
    expect(await eventsOf(userId)).toEqual(['WalletOpened', 'FundsDeposited', 'PaymentCharged']);
    expect((await outboxOf(orderId)).map((row) => row.envelope.type)).toEqual([PAYMENT_CHARGED_V1]);
    expect((await stack.balance.execute({ userId })).balanceCents).toBe(600);
  });

  it('retries a lost optimistic-concurrency race inside the inbox transaction (a savepoint), with every outcome right', async () => {
    const userId = randomUUID();
    await commandsOver(publisher).deposit.execute({ userId, depositId: randomUUID(), amountCents: 1_000 });
    const transactions = new PostgresWalletTransactions(walletProjections(), publisher);
    const orders = Array.from({ length: 8 }, () => randomUUID());

    const outcomes = await Promise.all(
      orders.map((orderId) =>
        handleOnce(stack.dataSource, 'spec-consumer', envelope('inventory.reserved.v1', { orderId }, { correlationId: orderId }), async (tx) => {
          await transactions.join(tx).charge.execute({ userId, orderId, amountCents: 200 });
        }),
      ),
    );

    expect(outcomes).toEqual(orders.map(() => 'handled'));
    expect((await stack.balance.execute({ userId })).balanceCents).toBe(0);
    const types = await Promise.all(orders.map(async (orderId) => (await outboxOf(orderId)).map((row) => row.envelope.type)));
    expect(types.flat().filter((type) => type === PAYMENT_CHARGED_V1)).toHaveLength(5);
    expect(types.flat().filter((type) => type === PAYMENT_DECLINED_V1)).toHaveLength(3);
    expect(types.every((perOrder) => perOrder.length === 1)).toBe(true);
  });

  it('writes no outbox row when the read models are rebuilt by replay', async () => {
    const before = await count('outbox');
    const result = await replayProjections(stack.dataSource, walletProjections());
    expect(result.events).toBe(await count('events'));
    expect(await count('outbox')).toBe(before);
  });
});
