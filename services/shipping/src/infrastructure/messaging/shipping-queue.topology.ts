/**
 * Message queue (docs/patterns/06-message-queue.md): the exchanges and queues of the shipping work queue, declared
 * whenever a RabbitMQ connection opens, in the app and in every worker (both run an outbox relay that publishes
 * tasks), so that the queue is bound to the exchange before tasks are published to it and none goes unrouted.
 */
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { type ChannelModel } from 'amqplib';
import { SHIPPING_QUEUE } from '@shop/contracts';
import { assertWorkQueue, RabbitMqConnection, type WorkQueueTopology } from '@shop/messaging';
import { HealthRegistry, LOGGER, type Logger } from '@shop/platform';
import { SHIPPING_CONFIG, type ShippingConfig } from '../../config/shipping.config';

/** The names of the work queue, each behind `prefix` (SHIPPING_QUEUE_PREFIX) so that specs can have their own. */
export function shippingQueueTopology(prefix: string): WorkQueueTopology {
  return {
    exchange: `${prefix}${SHIPPING_QUEUE.exchange}`,
    routingKey: SHIPPING_QUEUE.routingKey,
    queue: `${prefix}${SHIPPING_QUEUE.queue}`,
    retryExchange: `${prefix}${SHIPPING_QUEUE.retryExchange}`,
    retryQueue: `${prefix}${SHIPPING_QUEUE.retryQueue}`,
    deadLetterQueue: `${prefix}${SHIPPING_QUEUE.deadLetterQueue}`,
  };
}

export const SHIPPING_QUEUE_TOPOLOGY = Symbol('SHIPPING_QUEUE_TOPOLOGY');

@Injectable()
export class ShippingQueueDeclaration implements OnModuleInit {
  private declaredOn: ChannelModel | undefined;
  private lastError: string | undefined;

  constructor(
    private readonly connection: RabbitMqConnection,
    @Inject(SHIPPING_QUEUE_TOPOLOGY) private readonly topology: WorkQueueTopology,
    @Inject(SHIPPING_CONFIG) private readonly config: ShippingConfig,
    private readonly health: HealthRegistry,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    // Registered while providers are built, before RabbitMqModule starts the connection in onModuleInit: every
    // connection runs this as it opens, before its connect() resolves for a publisher.
    this.connection.onConnect((model) => this.declare(model));
  }

  onModuleInit(): void {
    this.health.register('shipping-queue', async () => {
      const current = this.connection.current();
      if (!current || current !== this.declaredOn) throw new Error(this.lastError ?? 'work queue not declared yet');
      return { exchange: this.topology.exchange, queue: this.topology.queue, deadLetterQueue: this.topology.deadLetterQueue };
    });
  }

  private async declare(model: ChannelModel): Promise<void> {
    try {
      const channel = await model.createChannel();
      channel.on('error', () => undefined);
      try {
        await assertWorkQueue(channel, this.topology, this.config.SHIPPING_RETRY_DELAY_MS);
      } finally {
        await channel.close().catch(() => undefined);
      }
      this.declaredOn = model;
      this.lastError = undefined;
    } catch (error) {
      // Typically a retry queue declared earlier with another SHIPPING_RETRY_DELAY_MS: readiness says so.
      this.lastError = `work queue could not be declared: ${error instanceof Error ? error.message : String(error)}`;
      this.logger.error({ err: error, queue: this.topology.queue }, this.lastError);
    }
  }
}
