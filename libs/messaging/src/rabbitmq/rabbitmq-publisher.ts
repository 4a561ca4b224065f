import { type ConfirmChannel, type Message } from 'amqplib';
import { endSpan, type OutgoingSpan, startProducerSpan, within } from '@shop/platform';
import { type RabbitMqConnection } from './rabbitmq-connection';

export interface RabbitRecord {
  readonly exchange: string;
  readonly routingKey: string;
  readonly messageId: string;
  readonly type: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Publishes with publisher confirms: persistent messages, all sent, then one wait for the broker's confirms.
 * Resolves only when RabbitMQ has taken responsibility for every message; a nack, a timeout or a message that no
 * queue took rejects. Messages are `mandatory`: RabbitMQ confirms a message that its exchange routed to no queue (the
 * queue deleted, a binding missing) as if it had been delivered, and drops it; `mandatory` has it returned first, and
 * a returned message fails the batch, so its outbox row stays unsent instead of being marked sent and lost.
 * Each message gets a producer span (a child of the trace context its headers carry) whose context it carries on.
 */
export class RabbitMqPublisher {
  private channel: ConfirmChannel | undefined;

  constructor(private readonly connection: RabbitMqConnection) {}

  async publish(records: readonly RabbitRecord[], timeoutMs = 10_000): Promise<void> {
    if (records.length === 0) return;
    const channel = await this.confirmChannel();
    const outgoing: OutgoingSpan[] = [];
    // RabbitMQ returns an unroutable mandatory message before it confirms it.
    const batch = new Set(records.map((record) => record.messageId));
    const unroutable: string[] = [];
    const onReturn = (message: Message): void => {
      const id = message.properties.messageId as string | undefined;
      if (id !== undefined && batch.has(id)) unroutable.push(`${message.fields.exchange}/${message.fields.routingKey}`);
    };
    channel.on('return', onReturn);
    try {
      for (const record of records) {
        const message = startProducerSpan(
          `${record.exchange} publish`,
          {
            'messaging.system': 'rabbitmq',
            'messaging.operation.type': 'send',
            'messaging.destination.name': record.exchange,
            'messaging.rabbitmq.destination.routing_key': record.routingKey,
            'messaging.message.id': record.messageId,
          },
          record.headers,
        );
        outgoing.push(message);
        channel.publish(record.exchange, record.routingKey, Buffer.from(record.body), {
          persistent: true,
          mandatory: true,
          contentType: 'application/json',
          messageId: record.messageId,
          type: record.type,
          headers: message.headers,
        });
      }
      await within(channel.waitForConfirms(), timeoutMs, `RabbitMQ did not confirm within ${timeoutMs} ms`);
      if (unroutable.length > 0) {
        throw new Error(`RabbitMQ routed ${unroutable.length} message(s) to no queue (${[...new Set(unroutable)].join(', ')}): is the queue declared and bound?`);
      }
      for (const { span } of outgoing) endSpan(span);
    } catch (error) {
      for (const { span } of outgoing) endSpan(span, error);
      this.channel = undefined;
      // Not awaited: a broker that did not confirm may not answer the close either.
      void channel.close().catch(() => undefined);
      throw error;
    } finally {
      channel.removeListener('return', onReturn);
    }
  }

  private async confirmChannel(): Promise<ConfirmChannel> {
    if (this.channel) return this.channel;
    const connection = this.connection.current() ?? (await this.connection.connect());
    const channel = await connection.createConfirmChannel();
    channel.on('close', () => {
      if (this.channel === channel) this.channel = undefined;
    });
    channel.on('error', () => undefined);
    this.channel = channel;
    return channel;
  }
}
