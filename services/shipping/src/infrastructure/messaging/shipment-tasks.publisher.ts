/**
 * Message queue (docs/patterns/06-message-queue.md), producer side: a create-shipment task goes on the RabbitMQ
 * work queue through the transactional outbox, in the same transaction as the inbox record of the order event
 * that caused it. A redelivered event adds no second task, and a RabbitMQ outage delays tasks but loses none:
 * the relay publishes them with publisher confirms and marks them sent only once the broker has them.
 */
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CREATE_SHIPMENT_V1, type CreateShipmentV1Data } from '@shop/contracts';
import { addToOutbox, envelope, handleOnce, rabbitMessage, type WorkQueueTopology } from '@shop/messaging';
import { type MessageCause } from '../../application/ports/shipment-repository.port';
import { type EnqueueOutcome, type ShipmentTask, type ShipmentTasks } from '../../application/ports/shipment-tasks.port';
import { SHIPPING_QUEUE_TOPOLOGY } from './shipping-queue.topology';

/** The inbox's name for the consumer of order events that asks for shipments. */
export const FULFILMENT_INBOX = 'shipping-fulfilment';

@Injectable()
export class OutboxShipmentTasks implements ShipmentTasks {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(SHIPPING_QUEUE_TOPOLOGY) private readonly topology: WorkQueueTopology,
  ) {}

  async enqueueOnce(cause: MessageCause, task: ShipmentTask): Promise<EnqueueOutcome> {
    const data: CreateShipmentV1Data = { orderId: task.orderId, userId: task.userId, items: task.items };
    const outcome = await handleOnce(this.dataSource, FULFILMENT_INBOX, { id: cause.messageId, type: cause.messageType }, (manager) =>
      addToOutbox(manager, [
        rabbitMessage(
          this.topology.exchange,
          this.topology.routingKey,
          envelope(CREATE_SHIPMENT_V1, data, { correlationId: cause.correlationId, causationId: cause.messageId }),
        ),
      ]),
    );
    return outcome === 'handled' ? 'enqueued' : 'duplicate';
  }
}
