import { type ConfirmChannel } from 'amqplib';
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
 */
export class RabbitMqPublisher {
  private channel: ConfirmChannel | undefined;

  constructor(private readonly connection: RabbitMqConnection) {}

  async publish(records: readonly RabbitRecord[], timeoutMs = 10_000): Promise<void> {
    if (records.length === 0) return;
    const channel = await this.confirmChannel();
    let timer: NodeJS.Timeout | undefined;
    try {
      for (const record of records) {
        channel.publish(record.exchange, record.routingKey, Buffer.from(record.body), {
          persistent: true,
          contentType: 'application/json',
          messageId: record.messageId,
          type: record.type,
          headers: { ...record.headers },
        });
      }
      await Promise.race([
        channel.waitForConfirms(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`RabbitMQ did not confirm within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } catch (error) {
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
