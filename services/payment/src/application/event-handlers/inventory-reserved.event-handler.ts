/**
 * Choreography (docs/patterns/09-choreography-vs-orchestration.md): with no orchestrator, payment takes its saga
 * step when inventory announces the reservation, and charges the order's total exactly as the gRPC Charge of
 * the orchestrator does (same command, idempotent per order id, declined ORDER_VOIDED after a cancellation).
 * Orchestrated orders are charged over gRPC, so their reservations are not acted on here.
 */
import { type InventoryReservedV1Data } from '@shop/contracts';
import { type ChargePaymentHandler, type ChargePaymentResult } from '../commands/charge-payment.command';
import { type CommandContext } from '../ports/event-store.port';

export type ReservedOrder = Pick<InventoryReservedV1Data, 'orderId' | 'userId' | 'totalCents' | 'sagaStyle'>;

/** Charges a choreographed order whose stock is reserved; answers undefined for an orchestrated one. */
export function chargeReservedOrder(
  charge: ChargePaymentHandler,
  order: ReservedOrder,
  context: CommandContext,
): Promise<ChargePaymentResult | undefined> {
  if (order.sagaStyle !== 'choreography') return Promise.resolve(undefined);
  return charge.execute({ orderId: order.orderId, userId: order.userId, amountCents: order.totalCents, ...context });
}
