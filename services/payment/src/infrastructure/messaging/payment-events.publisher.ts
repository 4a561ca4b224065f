/**
 * Transactional outbox (docs/patterns/05-publish-subscribe.md): each payment fact a wallet stream records (charged,
 * declined, refunded) becomes its event on payments.events.v1 in the append's own transaction, so the stored event,
 * the projections and the message commit together. gRPC (orchestration) and Kafka (choreography) commands publish
 * alike: these are facts about wallets, and each subscriber picks the orders it acts on.
 */
import {
  PAYMENT_CHARGED_V1,
  PAYMENT_DECLINED_V1,
  PAYMENT_REFUNDED_V1,
  type PaymentChargedV1Data,
  type PaymentDeclinedV1Data,
  type PaymentRefundedV1Data,
  TOPICS,
} from '@shop/contracts';
import { addToOutbox, envelope, kafkaMessage, type OutboxMessage } from '@shop/messaging';
import { type EntityManager } from 'typeorm';
import { type RecordedEvent } from '../../application/ports/event-store.port';
import { decodeWalletEvent, userIdOfWalletStream } from '../../domain/wallet-events';
import { type AppendedEventsOutbox } from '../persistence/postgres-event-store';

export class PaymentEventsPublisher implements AppendedEventsOutbox {
  async add(tx: EntityManager, recorded: readonly RecordedEvent[]): Promise<void> {
    await addToOutbox(tx, recorded.flatMap(toMessage));
  }
}

/** The integration event of one recorded wallet event; opening a wallet and deposits stay inside payment. */
function toMessage(recorded: RecordedEvent): OutboxMessage[] {
  const userId = userIdOfWalletStream(recorded.streamId);
  if (!userId) return [];
  const event = decodeWalletEvent(recorded.type, recorded.schemaVersion, recorded.data);
  switch (event.type) {
    case 'PaymentCharged': {
      const data: PaymentChargedV1Data = { orderId: event.data.orderId, userId, amountCents: event.data.amountCents };
      return [orderMessage(recorded, PAYMENT_CHARGED_V1, data)];
    }
    case 'PaymentDeclined': {
      const data: PaymentDeclinedV1Data = { orderId: event.data.orderId, userId, amountCents: event.data.amountCents, reason: event.data.reason };
      return [orderMessage(recorded, PAYMENT_DECLINED_V1, data)];
    }
    case 'PaymentRefunded': {
      const data: PaymentRefundedV1Data = { orderId: event.data.orderId, userId, amountCents: event.data.amountCents };
      return [orderMessage(recorded, PAYMENT_REFUNDED_V1, data)];
    }
    case 'WalletOpened':
    case 'FundsDeposited':
      return [];
  }
}

/**
 * Keyed by the order id, so one order's payment events stay in order. Same instant as the stored event;
 * correlated to what caused the command, or to the order when the caller gave no correlation id.
 */
function orderMessage<TType extends string>(recorded: RecordedEvent, type: TType, data: { readonly orderId: string }): OutboxMessage {
  const event = envelope(type, data, {
    correlationId: recorded.correlationId ?? data.orderId,
    causationId: recorded.causationId,
    occurredAt: recorded.occurredAt,
  });
  return kafkaMessage(TOPICS.payments, data.orderId, event);
}
