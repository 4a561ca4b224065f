/**
 * The orchestrated order saga (docs/patterns/07-saga.md, docs/patterns/09-choreography-vs-orchestration.md):
 * order drives inventory and payment over gRPC, step by step, and undoes what was done when a step fails.
 *
 *   step            action                           compensation
 *   reserve-stock   inventory.Reserve(order)         inventory.Release(order)
 *   charge-payment  payment.Charge(order, total)     payment.Refund(order)
 *   confirm-order   mark CONFIRMED (+ event)         –
 */
import { type OrderLine } from '../../domain/order';
import { type InventoryPort } from '../ports/inventory.port';
import { type PaymentPort } from '../ports/payment.port';
import { type SagaDefinition } from './saga';

export interface PlaceOrderSagaContext {
  readonly orderId: string;
  readonly userId: string;
  readonly totalCents: number;
  readonly lines: readonly OrderLine[];
  readonly inventory: InventoryPort;
  readonly payment: PaymentPort;
  readonly confirm: (orderId: string) => Promise<void>;
}

export const placeOrderSaga: SagaDefinition<PlaceOrderSagaContext> = [
  {
    name: 'reserve-stock',
    action: async ({ orderId, lines, inventory }) =>
      (await inventory.reserve(orderId, lines)) === 'RESERVED' ? { kind: 'done' } : { kind: 'refused', reason: 'OUT_OF_STOCK' },
    compensation: ({ orderId, inventory }) => inventory.release(orderId),
    unavailableReason: 'INVENTORY_UNAVAILABLE',
  },
  {
    name: 'charge-payment',
    action: async ({ orderId, userId, totalCents, payment }) =>
      (await payment.charge(orderId, userId, totalCents)) === 'CHARGED' ? { kind: 'done' } : { kind: 'refused', reason: 'PAYMENT_DECLINED' },
    compensation: ({ orderId, payment }) => payment.refund(orderId),
    unavailableReason: 'PAYMENT_UNAVAILABLE',
  },
  {
    name: 'confirm-order',
    action: async ({ orderId, confirm }) => {
      await confirm(orderId);
      return { kind: 'done' };
    },
    unavailableReason: 'PAYMENT_UNAVAILABLE',
  },
];
