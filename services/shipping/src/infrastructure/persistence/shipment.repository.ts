/**
 * Message queue (docs/patterns/06-message-queue.md), the exactly-once effect: a shipment and its shipping.shipped.v1
 * outbox row commit together, and `order_id UNIQUE` with ON CONFLICT DO NOTHING makes a duplicated or redelivered
 * task find its order shipped and write nothing, so at-least-once delivery ships each order once.
 */
import { Counter, Histogram } from 'prom-client';
import { DataSource, type EntityManager } from 'typeorm';
import { SHIPPING_SHIPPED_V1, type ShippingShippedV1Data, TOPICS } from '@shop/contracts';
import { addToOutbox, envelope, kafkaMessage } from '@shop/messaging';
import {
  type CreateShipmentOutcome,
  type MessageCause,
  type ShipmentRepository,
} from '../../application/ports/shipment-repository.port';
import { type Shipment, type ShipmentLine } from '../../domain/shipment';
import { GroupCommit, type GroupCommitOptions } from './group-commit';

interface ShipmentRow {
  id: string;
  order_id: string;
  user_id: string;
  items: ShipmentLine[];
  tracking_number: string;
  created_at: Date;
}

interface NewShipment {
  readonly shipment: Shipment;
  readonly cause: MessageCause;
}

const shipmentsCounter = new Counter({
  name: 'shop_shipments_total',
  help: 'Create-shipment tasks by outcome: created, or already-shipped (a duplicate or redelivered task)',
  labelNames: ['outcome'],
});
const batchHistogram = new Histogram({
  name: 'shop_shipment_commit_batch_size',
  help: 'Shipments written per database transaction (group commit)',
  buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
});

export const DEFAULT_GROUP_COMMIT: GroupCommitOptions = { maxBatch: 500, maxConcurrent: 2 };

/**
 * Shipments in PostgreSQL with raw SQL. Creation goes through a group commit: many tasks, one transaction, one
 * multi-row INSERT … ON CONFLICT (order_id) DO NOTHING whose RETURNING tells which orders got their shipment
 * now, and an outbox row of shipping.shipped.v1 for exactly those. Rows are inserted in order-id order, so two
 * workers inserting overlapping orders take their locks in the same order and never deadlock.
 */
export class SqlShipmentRepository implements ShipmentRepository {
  private readonly creations: GroupCommit<NewShipment, CreateShipmentOutcome>;

  constructor(
    private readonly dataSource: DataSource,
    options: GroupCommitOptions = DEFAULT_GROUP_COMMIT,
  ) {
    this.creations = new GroupCommit((batch) => this.dataSource.transaction((manager) => insertShipments(manager, batch)), options);
  }

  async createOnce(shipment: Shipment, cause: MessageCause): Promise<CreateShipmentOutcome> {
    const outcome = await this.creations.submit({ shipment, cause });
    shipmentsCounter.inc({ outcome });
    return outcome;
  }

  async findByOrderId(orderId: string): Promise<Shipment | undefined> {
    const rows: ShipmentRow[] = await this.dataSource.query(
      `SELECT id, order_id, user_id, items, tracking_number, created_at FROM shipments WHERE order_id = $1`,
      [orderId],
    );
    const row = rows[0];
    return (
      row && {
        id: row.id,
        orderId: row.order_id,
        userId: row.user_id,
        items: row.items,
        trackingNumber: row.tracking_number,
        createdAt: row.created_at,
      }
    );
  }
}

async function insertShipments(manager: EntityManager, batch: readonly NewShipment[]): Promise<CreateShipmentOutcome[]> {
  batchHistogram.observe(batch.length);
  // The batch travels as one JSON document: one native JSON.stringify, instead of six arrays escaped element by element.
  const rows = batch.map(({ shipment: s }) => ({
    id: s.id,
    order_id: s.orderId,
    user_id: s.userId,
    items: s.items,
    tracking_number: s.trackingNumber,
    created_at: s.createdAt.toISOString(),
  }));
  const inserted: Array<{ id: string }> = await manager.query(
    `INSERT INTO shipments (id, order_id, user_id, items, tracking_number, created_at)
       SELECT id, order_id, user_id, items, tracking_number, created_at
         FROM jsonb_to_recordset($1::jsonb)
           AS s(id uuid, order_id uuid, user_id uuid, items jsonb, tracking_number text, created_at timestamptz)
        ORDER BY order_id
     ON CONFLICT (order_id) DO NOTHING
     RETURNING id`,
    [JSON.stringify(rows)],
  );
  const created = new Set(inserted.map((row) => row.id));
  const events = batch
    .filter(({ shipment }) => created.has(shipment.id))
    .map(({ shipment, cause }) => {
      const data: ShippingShippedV1Data = {
        orderId: shipment.orderId,
        userId: shipment.userId,
        shipmentId: shipment.id,
        trackingNumber: shipment.trackingNumber,
      };
      return kafkaMessage(
        TOPICS.shipping,
        shipment.orderId,
        envelope(SHIPPING_SHIPPED_V1, data, { correlationId: cause.correlationId, causationId: cause.messageId, occurredAt: shipment.createdAt }),
      );
    });
  await addToOutbox(manager, events);
  return batch.map(({ shipment }) => (created.has(shipment.id) ? 'created' : 'already-shipped'));
}
