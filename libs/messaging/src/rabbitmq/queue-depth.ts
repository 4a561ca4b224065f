import { type Channel, type ChannelModel } from 'amqplib';
import { Gauge } from 'prom-client';
import { within } from '@shop/platform';
import { type RabbitMqConnection } from './rabbitmq-connection';

const CHECK_TIMEOUT_MS = 1_000;

/**
 * How many messages wait in the queues a consumer reads (work, retry and dead-letter queues), asked of the broker
 * when /metrics is scraped, on a channel of its own: a failed passive check closes its channel, never the
 * consumer's.
 */
class QueueDepthProbe {
  private channel: Channel | undefined;
  private channelOf: ChannelModel | undefined;

  constructor(
    private readonly connection: RabbitMqConnection,
    readonly queues: readonly string[],
  ) {}

  /** Messages ready per queue; a queue whose depth cannot be read right now is left out. */
  async depths(): Promise<Map<string, number>> {
    const result = new Map<string, number>();
    const channel = await this.open();
    if (!channel) return result;
    for (const queue of this.queues) {
      try {
        const { messageCount } = await within(channel.checkQueue(queue), CHECK_TIMEOUT_MS, `no answer about ${queue} within ${CHECK_TIMEOUT_MS} ms`);
        result.set(queue, messageCount);
      } catch {
        // A missing queue has closed the channel already; one that did not answer in time is closed here, or each
        // such scrape would leave another open channel behind.
        if (this.channel === channel) this.channel = undefined;
        void channel.close().catch(() => undefined);
        return result;
      }
    }
    return result;
  }

  private async open(): Promise<Channel | undefined> {
    const model = this.connection.current();
    if (!model) return undefined;
    if (this.channel && this.channelOf === model) return this.channel;
    try {
      const channel = await model.createChannel();
      channel.on('error', () => undefined);
      channel.on('close', () => {
        if (this.channel === channel) this.channel = undefined;
      });
      this.channel = channel;
      this.channelOf = model;
      return channel;
    } catch {
      return undefined;
    }
  }

  async close(): Promise<void> {
    const channel = this.channel;
    this.channel = undefined;
    await channel?.close().catch(() => undefined);
  }
}

const probes = new Set<QueueDepthProbe>();

new Gauge({
  name: 'shop_queue_depth',
  help: 'Messages ready in a RabbitMQ queue (work, retry and dead-letter queues), read from the broker at scrape time',
  labelNames: ['queue'],
  async collect() {
    for (const probe of probes) {
      for (const [queue, messages] of await probe.depths()) this.set({ queue }, messages);
    }
  },
});

/** Reports the depth of `queues` in /metrics until the returned function is called. */
export function reportQueueDepth(connection: RabbitMqConnection, queues: readonly string[]): () => Promise<void> {
  const probe = new QueueDepthProbe(connection, queues);
  probes.add(probe);
  return async () => {
    probes.delete(probe);
    await probe.close();
  };
}
