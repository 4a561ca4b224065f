import { type InventoryRejectedV1Data, type InventoryReleasedV1Data, type InventoryReservedV1Data } from '@shop/contracts';

/** The message an event answers: its correlation id is kept, and its id becomes the new event's cause. */
export interface MessageCause {
  readonly correlationId: string;
  readonly causationId: string;
}

/**
 * The facts inventory tells the other participants of a choreographed saga. Written inside the transaction of
 * the stock change they report (an outbox), so a fact is published if and only if the change committed.
 */
export interface InventoryEvents {
  reserved(data: InventoryReservedV1Data, cause: MessageCause): Promise<void>;
  rejected(data: InventoryRejectedV1Data, cause: MessageCause): Promise<void>;
  released(data: InventoryReleasedV1Data, cause: MessageCause): Promise<void>;
}
