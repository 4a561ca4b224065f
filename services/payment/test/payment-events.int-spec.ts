import { randomUUID } from 'node:crypto';
import { type INestApplication } from '@nestjs/common';
import {
  CONSUMER_GROUPS,
  deadLetterTopic,
  type Envelope,
  INVENTORY_RESERVED_V1,
  type InventoryReservedV1Data,
  ORDER_CANCELLED_V1,
  type OrderCancelledV1Data,
  PAYMENT_CHARGED_V1,
  PAYMENT_DECLINED_V1,
  PAYMENT_REFUNDED_V1,
  type PaymentChargedV1Data,
  type PaymentDeclinedV1Data,
  type PaymentRefundedV1Data,
  type paymentV1,
  TOPICS,
  USER_REGISTERED_V1,
  type UserRegisteredV1Data,
} from '@shop/contracts';
import { envelope } from '@shop/messaging';
import { callUnary } from '@shop/platform';
import { eventually } from '@shop/testing';
import { type Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { publish, specKafka, TopicRecorder } from '@shop/testing';
import { migratedDatabase, startPaymentApp } from './payment-fixture';

/**
 * Payment as a participant of the choreographed order saga, and as a subscriber of user registrations: the real
 * app in-process (free ports, fresh database, its own consumer groups started at the end of the real topics).
 * The spec publishes the incoming events with a kafkajs producer and reads the outgoing ones back from Kafka,
 * filtered by ids only this spec made (the broker and its topics are shared).
 */
describe('payment saga participant over Kafka', () => {
  const groupPrefix = `spec-${randomUUID()}.`;
  let database: { url: string; drop: () => Promise<void> };
  let app: INestApplication;
  let dataSource: DataSource;
  let client: paymentV1.PaymentServiceClient;
  let kafka: Kafka;
  let recorder: TopicRecorder;

  beforeAll(async () => {
    database = await migratedDatabase('payment_events');
    kafka = await specKafka('payment-events-spec');
    recorder = await TopicRecorder.start(kafka, [TOPICS.payments, deadLetterTopic(TOPICS.inventory)]);
    let httpPort: number;
    ({ app, client, httpPort } = await startPaymentApp(database.url, { groupPrefix }));
    dataSource = app.get(DataSource);
    // Ready means the database, Kafka and both consumer groups are up.
    await eventually('payment ready', async () => ((await fetch(`http://127.0.0.1:${httpPort}/health/ready`)).ok ? true : undefined), 60_000);
  });

  afterAll(async () => {
    client?.close();
    await recorder?.stop();
    await app?.close();
    await database?.drop();
  });

  const deposit = (userId: string, amountCents: number): Promise<paymentV1.DepositResponse> =>
    callUnary('payment', client, client.deposit, { userId, amountCents, depositId: randomUUID() }, { deadlineMs: 5_000 });
  const balanceOf = async (userId: string): Promise<number> =>
    (await callUnary('payment', client, client.getBalance, { userId, at: '' }, { deadlineMs: 5_000 })).balanceCents;
  const historyOf = async (userId: string): Promise<string[]> =>
    (await callUnary('payment', client, client.getHistory, { userId, afterVersion: 0, limit: 0 }, { deadlineMs: 5_000 })).events.map((event) => event.type);

  /** Resolves once the consumer recorded the message in its inbox: every message before it on its partition is handled too. */
  const handled = (consumer: string, message: Envelope): Promise<true> =>
    eventually(`${message.type} ${message.id} handled by ${consumer}`, async () => {
      const rows: unknown[] = await dataSource.query(`SELECT 1 FROM inbox WHERE consumer = $1 AND message_id = $2`, [consumer, message.id]);
      return rows.length === 1 ? true : undefined;
    }, 30_000);

  /** Outgoing events of one order written to the outbox (what the relay publishes, each once). */
  const outboxed = async (type: string, orderId: string): Promise<number> => {
    const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM outbox WHERE envelope->>'type' = $1 AND message_key = $2`, [type, orderId]);
    return n;
  };

  const reserved = (data: InventoryReservedV1Data): Envelope =>
    envelope(INVENTORY_RESERVED_V1, data, { correlationId: data.orderId, causationId: randomUUID() });
  const cancelled = (data: OrderCancelledV1Data): Envelope => envelope(ORDER_CANCELLED_V1, data, { correlationId: data.orderId });
  const line = { productId: randomUUID(), quantity: 2, unitPriceCents: 1_250 };
  const byOrder = (orderId: string) => (data: { orderId: string }) => data.orderId === orderId;

  describe('user.registered.v1', () => {
    it('opens the wallet of a registered user once, even when the event is delivered twice', async () => {
      const userId = randomUUID();
      const registered = envelope(USER_REGISTERED_V1, { userId, email: `${userId}@example.com`, name: 'New' } satisfies UserRegisteredV1Data, {
        correlationId: userId,
      });
      // The same message twice, then another registration on the same partition: when that one is handled, both copies were.
      const later = envelope(USER_REGISTERED_V1, { userId: randomUUID(), email: 'later@example.com', name: 'Later' }, { correlationId: userId });
      await publish(kafka, TOPICS.users, userId, [registered, registered, later]);

      await handled(CONSUMER_GROUPS.paymentWallets, later);
      expect(await historyOf(userId)).toEqual(['WalletOpened']);
      expect(await balanceOf(userId)).toBe(0);
      const [opened] = await dataSource.query(`SELECT correlation_id, causation_id FROM events WHERE stream_id = $1`, [`wallet-${userId}`]);
      expect(opened).toEqual({ correlation_id: userId, causation_id: registered.id });
    });
  });

  describe('inventory.reserved.v1 (choreography)', () => {
    it('charges the order total and publishes payment.charged.v1 once, even when the event is delivered twice', async () => {
      const [userId, orderId] = [randomUUID(), randomUUID()];
      await deposit(userId, 10_000);
      const message = reserved({ orderId, userId, totalCents: 2_500, items: [line], sagaStyle: 'choreography' });
      const sentinel = reserved({ orderId: randomUUID(), userId, totalCents: 1, items: [line], sagaStyle: 'orchestration' });
      await publish(kafka, TOPICS.inventory, orderId, [message, message, sentinel]);

      const [charged] = await recorder.waitFor<PaymentChargedV1Data>(PAYMENT_CHARGED_V1, byOrder(orderId));
      expect(charged.key).toBe(orderId);
      expect(charged.envelope).toMatchObject({
        type: PAYMENT_CHARGED_V1,
        version: 1,
        correlationId: orderId,
        causationId: message.id,
        data: { orderId, userId, amountCents: 2_500 },
      });
      await handled(CONSUMER_GROUPS.paymentSaga, sentinel);
      expect(await balanceOf(userId)).toBe(7_500);
      expect(await historyOf(userId)).toEqual(['WalletOpened', 'FundsDeposited', 'PaymentCharged']);
      expect(await outboxed(PAYMENT_CHARGED_V1, orderId)).toBe(1);
    });

    it('declines an order above the balance with INSUFFICIENT_FUNDS and publishes payment.declined.v1', async () => {
      const [userId, orderId] = [randomUUID(), randomUUID()];
      await deposit(userId, 1_000);
      await publish(kafka, TOPICS.inventory, orderId, [reserved({ orderId, userId, totalCents: 1_001, items: [line], sagaStyle: 'choreography' })]);

      const [declined] = await recorder.waitFor<PaymentDeclinedV1Data>(PAYMENT_DECLINED_V1, byOrder(orderId));
      expect(declined.envelope.data).toEqual({ orderId, userId, amountCents: 1_001, reason: 'INSUFFICIENT_FUNDS' });
      expect(await balanceOf(userId)).toBe(1_000);
      expect(recorder.find(PAYMENT_CHARGED_V1, byOrder(orderId))).toHaveLength(0);
    });

    it('leaves an orchestrated order alone: the orchestrator charges it over gRPC', async () => {
      const [userId, orderId] = [randomUUID(), randomUUID()];
      await deposit(userId, 1_000);
      const message = reserved({ orderId, userId, totalCents: 500, items: [line], sagaStyle: 'orchestration' });
      await publish(kafka, TOPICS.inventory, orderId, [message]);

      await handled(CONSUMER_GROUPS.paymentSaga, message);
      expect(await historyOf(userId)).toEqual(['WalletOpened', 'FundsDeposited']);
      expect(await balanceOf(userId)).toBe(1_000);
    });

    it('dead-letters an event that breaks its contract and writes nothing', async () => {
      const orderId = randomUUID();
      const broken = envelope(INVENTORY_RESERVED_V1, { orderId, userId: 'not-a-uuid', totalCents: -5, sagaStyle: 'choreography' }, { correlationId: orderId });
      await publish(kafka, TOPICS.inventory, orderId, [broken]);

      const [dead] = await eventually('the broken event on the dead-letter topic', async () => {
        const found = recorder.received.filter((message) => message.topic === deadLetterTopic(TOPICS.inventory) && message.envelope.id === broken.id);
        return found.length > 0 ? found : undefined;
      }, 30_000);
      expect(dead.key).toBe(orderId);
      const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM inbox WHERE message_id = $1`, [broken.id]);
      expect(n).toBe(0);
      expect(recorder.find(PAYMENT_DECLINED_V1, byOrder(orderId))).toHaveLength(0);
    });
  });

  describe('order.cancelled.v1', () => {
    it('refunds a charged order once and publishes payment.refunded.v1, even when the cancellation is delivered twice', async () => {
      const [userId, orderId] = [randomUUID(), randomUUID()];
      await deposit(userId, 5_000);
      await publish(kafka, TOPICS.inventory, orderId, [reserved({ orderId, userId, totalCents: 3_000, items: [line], sagaStyle: 'choreography' })]);
      await recorder.waitFor(PAYMENT_CHARGED_V1, byOrder(orderId));
      expect(await balanceOf(userId)).toBe(2_000);

      // The same cancellation twice, then a second cancellation message of the same order: one refund in all.
      const cancellation = cancelled({ orderId, userId, reason: 'PAYMENT_UNAVAILABLE' });
      const again = cancelled({ orderId, userId, reason: 'PAYMENT_UNAVAILABLE' });
      await publish(kafka, TOPICS.orders, orderId, [cancellation, cancellation, again]);

      const [refunded] = await recorder.waitFor<PaymentRefundedV1Data>(PAYMENT_REFUNDED_V1, byOrder(orderId));
      expect(refunded.key).toBe(orderId);
      expect(refunded.envelope).toMatchObject({ correlationId: orderId, causationId: cancellation.id, data: { orderId, userId, amountCents: 3_000 } });
      await handled(CONSUMER_GROUPS.paymentSaga, again);
      expect(await balanceOf(userId)).toBe(5_000);
      expect(await historyOf(userId)).toEqual(['WalletOpened', 'FundsDeposited', 'PaymentCharged', 'PaymentRefunded']);
      expect(await outboxed(PAYMENT_REFUNDED_V1, orderId)).toBe(1);
    });

    it('voids an order cancelled before its charge: the late inventory.reserved ends declined ORDER_VOIDED, the balance unchanged', async () => {
      const [userId, orderId] = [randomUUID(), randomUUID()];
      await deposit(userId, 5_000);
      const cancellation = cancelled({ orderId, userId, reason: 'PAYMENT_UNAVAILABLE' });
      await publish(kafka, TOPICS.orders, orderId, [cancellation]);
      await handled(CONSUMER_GROUPS.paymentSaga, cancellation);

      await publish(kafka, TOPICS.inventory, orderId, [reserved({ orderId, userId, totalCents: 2_000, items: [line], sagaStyle: 'choreography' })]);

      const [declined] = await recorder.waitFor<PaymentDeclinedV1Data>(PAYMENT_DECLINED_V1, byOrder(orderId));
      expect(declined.envelope.data).toEqual({ orderId, userId, amountCents: 2_000, reason: 'ORDER_VOIDED' });
      expect(await balanceOf(userId)).toBe(5_000);
      expect(await historyOf(userId)).toEqual(['WalletOpened', 'FundsDeposited', 'PaymentDeclined']);
      expect(recorder.find(PAYMENT_CHARGED_V1, byOrder(orderId))).toHaveLength(0);
      expect(recorder.find(PAYMENT_REFUNDED_V1, byOrder(orderId))).toHaveLength(0);
    });
  });

  it('publishes the facts of the gRPC Charge and Refund (orchestration) the same way', async () => {
    const [userId, orderId] = [randomUUID(), randomUUID()];
    await deposit(userId, 1_000);
    await callUnary('payment', client, client.charge, { orderId, userId, amountCents: 400 }, { deadlineMs: 5_000 });
    await callUnary('payment', client, client.refund, { orderId }, { deadlineMs: 5_000 });

    const [charged] = await recorder.waitFor<PaymentChargedV1Data>(PAYMENT_CHARGED_V1, byOrder(orderId));
    const [refunded] = await recorder.waitFor<PaymentRefundedV1Data>(PAYMENT_REFUNDED_V1, byOrder(orderId));
    expect(charged.envelope.data).toEqual({ orderId, userId, amountCents: 400 });
    expect(refunded.envelope.data).toEqual({ orderId, userId, amountCents: 400 });
    expect(recorder.received.findIndex((m) => m.envelope.id === charged.envelope.id)).toBeLessThan(
      recorder.received.findIndex((m) => m.envelope.id === refunded.envelope.id),
    );
  });
});

