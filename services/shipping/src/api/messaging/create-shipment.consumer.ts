/**
 * Message queue (docs/patterns/06-message-queue.md), consumer side: one of the competing shipping workers.
 * RabbitMQ hands each task to exactly one worker (Kafka, by contrast, carries facts to every subscriber).
 * Manual acks, sent only after the shipment's transaction committed; a bounded prefetch; a failed task is
 * retried after SHIPPING_RETRY_DELAY_MS and parked on the dead-letter queue after SHIPPING_MAX_ATTEMPTS.
 */
import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleInit,
} from '@nestjs/common';
import { z } from 'zod';
import { CREATE_SHIPMENT_V1, type Envelope } from '@shop/contracts';
import { RabbitMqConnection, WorkQueueConsumer, type WorkQueueTopology } from '@shop/messaging';
import { DomainError, HealthRegistry, LOGGER, type Logger, parseOrThrow } from '@shop/platform';
import { CreateShipmentHandler } from '../../application/commands/create-shipment.command';
import { SHIPPING_CONFIG, type ShippingConfig } from '../../config/shipping.config';
import { SHIPPING_QUEUE_TOPOLOGY } from '../../infrastructure/messaging/shipping-queue.topology';

/** Not strict: within a version a producer may add fields, and an older worker must accept them. */
const createShipmentV1 = z.object({
  orderId: z.uuid(),
  userId: z.uuid(),
  items: z.array(z.object({ productId: z.uuid(), quantity: z.number().int() })),
});

@Injectable()
export class CreateShipmentConsumer implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly queue: WorkQueueConsumer;

  constructor(
    connection: RabbitMqConnection,
    @Inject(SHIPPING_QUEUE_TOPOLOGY) private readonly topology: WorkQueueTopology,
    @Inject(SHIPPING_CONFIG) private readonly config: ShippingConfig,
    private readonly createShipment: CreateShipmentHandler,
    private readonly health: HealthRegistry,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.queue = new WorkQueueConsumer(
      connection,
      topology,
      { prefetch: config.SHIPPING_WORKER_PREFETCH, maxAttempts: config.SHIPPING_MAX_ATTEMPTS, retryDelayMs: config.SHIPPING_RETRY_DELAY_MS },
      (task) => this.handle(task),
      logger,
    );
  }

  onModuleInit(): void {
    this.health.register('work-queue', async () => {
      if (!this.queue.isConsuming()) throw new Error(`not consuming ${this.topology.queue}`);
      return { queue: this.topology.queue, prefetch: this.config.SHIPPING_WORKER_PREFETCH };
    });
  }

  /** Takes tasks once the database and the relay are up. */
  onApplicationBootstrap(): void {
    this.queue.start();
  }

  /** Stops taking tasks and lets the ones in hand commit and be acked before the pool closes. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.queue.stop();
  }

  /** Resolves after the commit (the task is then acked); throws to have it retried, then dead-lettered. */
  async handle(task: Envelope): Promise<void> {
    if (task.type !== CREATE_SHIPMENT_V1) {
      throw new DomainError('TASK.UNKNOWN', 'invalid', `The shipping queue does not handle ${task.type}`);
    }
    const request = parseOrThrow(createShipmentV1, task.data, CREATE_SHIPMENT_V1);
    await this.createShipment.execute({
      cause: { messageId: task.id, messageType: task.type, correlationId: task.correlationId },
      request,
    });
  }
}
