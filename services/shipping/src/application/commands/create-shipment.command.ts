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
    const shipment = createShipment(command.request, { id: randomUUID(), trackingNumber: trackingNumberFrom(randomBytes(8)) }, new Date());
    const outcome = await this.shipments.createOnce(shipment, command.cause);
    return { outcome, shipment };
  }
}
