/**
 * Message queue (docs/patterns/06-message-queue.md): the work one shipping worker does for one task. Each order is
 * shipped exactly once: the shipment and its shipping.shipped.v1 event commit together, and the database refuses
 * a second shipment for the same order, so a duplicated or redelivered task finds the row and changes nothing.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { createShipment, type Shipment, type ShipmentRequest, trackingNumberFrom } from '../../domain/shipment';
import {
  type CreateShipmentOutcome,
  type MessageCause,
  SHIPMENT_REPOSITORY,
  type ShipmentRepository,
} from '../ports/shipment-repository.port';

export interface CreateShipmentCommand {
  /** The shipping.create-shipment.v1 task. */
  readonly cause: MessageCause;
  readonly request: ShipmentRequest;
}

export interface CreateShipmentResult {
  readonly outcome: CreateShipmentOutcome;
  /** The shipment this attempt proposed; stored only when the outcome is 'created'. */
  readonly shipment: Shipment;
}

@Injectable()
export class CreateShipmentHandler {
  constructor(@Inject(SHIPMENT_REPOSITORY) private readonly shipments: ShipmentRepository) {}

  /** Resolves after the transaction committed, so the caller may acknowledge the task; throws to have it retried. */
  async execute(command: CreateShipmentCommand): Promise<CreateShipmentResult> {
    const shipment = createShipment(command.request, { id: randomUUID(), trackingNumber: trackingNumberFrom(randomBytes8()) }, new Date());
    const outcome = await this.shipments.createOnce(shipment, command.cause);
    return { outcome, shipment };
  }
}

/** `randomBytes(8)` is a system call per task; tracking numbers take their bytes from a 4 KiB pool instead, each byte once. */
let entropy = Buffer.alloc(0);
let used = 0;
function randomBytes8(): Uint8Array {
  if (used + 8 > entropy.length) {
    entropy = randomBytes(4_096);
    used = 0;
  }
  used += 8;
  return entropy.subarray(used - 8, used);
}
