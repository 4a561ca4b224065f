import { type ShipmentRequest } from '../../domain/shipment';
import { type MessageCause } from './shipment-repository.port';

/** A create-shipment task: the confirmed order's lines as the order service sent them (prices included). */
export interface ShipmentTask extends ShipmentRequest {
  readonly items: ReadonlyArray<{ readonly productId: string; readonly quantity: number; readonly unitPriceCents: number }>;
}

export type EnqueueOutcome = 'enqueued' | 'duplicate';

/** The work queue of create-shipment tasks, as the application sees it. */
export interface ShipmentTasks {
  /**
   * Once per message: in one transaction with the record that the message was handled (inbox), puts a
   * shipping.create-shipment.v1 task on the work queue through the outbox. 'duplicate' when the message
   * was handled before; nothing is written then.
   */
  enqueueOnce(cause: MessageCause, task: ShipmentTask): Promise<EnqueueOutcome>;
}

export const SHIPMENT_TASKS = Symbol('SHIPMENT_TASKS');
