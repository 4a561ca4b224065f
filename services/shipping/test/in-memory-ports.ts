import { type CreateShipmentOutcome, type MessageCause, type ShipmentRepository } from '../src/application/ports/shipment-repository.port';
import { type EnqueueOutcome, type ShipmentTask, type ShipmentTasks } from '../src/application/ports/shipment-tasks.port';
import { type Shipment } from '../src/domain/shipment';

/** Unit-test stand-in for the shipments table: one shipment per order, like its UNIQUE (order_id). */
export class InMemoryShipments implements ShipmentRepository {
  readonly byOrder = new Map<string, { shipment: Shipment; cause: MessageCause }>();

  async createOnce(shipment: Shipment, cause: MessageCause): Promise<CreateShipmentOutcome> {
    if (this.byOrder.has(shipment.orderId)) return 'already-shipped';
    this.byOrder.set(shipment.orderId, { shipment, cause });
    return 'created';
  }

  async findByOrderId(orderId: string): Promise<Shipment | undefined> {
    return this.byOrder.get(orderId)?.shipment;
  }
}

/** Unit-test stand-in for inbox + outbox: a task per message id, once. */
export class InMemoryShipmentTasks implements ShipmentTasks {
  readonly handled = new Set<string>();
  readonly queued: Array<{ cause: MessageCause; task: ShipmentTask }> = [];

  async enqueueOnce(cause: MessageCause, task: ShipmentTask): Promise<EnqueueOutcome> {
    if (this.handled.has(cause.messageId)) return 'duplicate';
    this.handled.add(cause.messageId);
    this.queued.push({ cause, task });
    return 'enqueued';
  }
}
