import { type ConfirmChannel } from 'amqplib';
import { endSpan, type OutgoingSpan, startProducerSpan } from '@shop/platform';
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
 * Resolves only when RabbitMQ has taken responsibility for every message; a nack or a timeout rejects.
 * Each message gets a producer span (a child of the trace context its headers carry) whose context it carries on.
 */
export class RabbitMqPublisher {
  private channel: ConfirmChannel | undefined;

  constructor(private readonly connection: RabbitMqConnection) {}

  async publish(records: readonly RabbitRecord[], timeoutMs = 10_000): Promise<void> {
    if (records.length === 0) return;
    const channel = await this.confirmChannel();
    let timer: NodeJS.Timeout | undefined;
    const outgoing: OutgoingSpan[] = [];
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
          contentType: 'application/json',
          messageId: record.messageId,
          type: record.type,
          headers: message.headers,
        });
      }
      await Promise.race([
        channel.waitForConfirms(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`RabbitMQ did not confirm within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      for (const { span } of outgoing) endSpan(span);
    } catch (error) {
      for (const { span } of outgoing) endSpan(span, error);
      this.channel = undefined;
      await channel.close().catch(() => undefined);
      throw error;
    } finally {
      clearTimeout(timer);
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
