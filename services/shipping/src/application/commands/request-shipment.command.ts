/**
 * Choreographed fulfilment (docs/patterns/09-choreography-vs-orchestration.md): no orchestrator tells shipping to
 * ship. It reacts to the fact order.confirmed.v1 by turning it into one unit of work on the RabbitMQ queue
 * (docs/patterns/06-message-queue.md), which exactly one of the competing workers will carry out.
 */
import { Inject, Injectable } from '@nestjs/common';
import { checkShipmentRequest } from '../../domain/shipment';
import { type MessageCause } from '../ports/shipment-repository.port';
import { type EnqueueOutcome, SHIPMENT_TASKS, type ShipmentTask, type ShipmentTasks } from '../ports/shipment-tasks.port';

export interface RequestShipmentCommand {
  /** The order.confirmed.v1 message: deduplicated on its id, and the cause of the task. */
  readonly cause: MessageCause;
  readonly task: ShipmentTask;
}

@Injectable()
export class RequestShipmentHandler {
  constructor(@Inject(SHIPMENT_TASKS) private readonly tasks: ShipmentTasks) {}

  /** A task the worker would refuse is refused here already (SHIPMENT.INVALID), before anything is written. */
  async execute(command: RequestShipmentCommand): Promise<EnqueueOutcome> {
    checkShipmentRequest(command.task);
    return this.tasks.enqueueOnce(command.cause, command.task);
  }
}
