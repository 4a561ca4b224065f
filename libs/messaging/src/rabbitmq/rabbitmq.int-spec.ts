import { randomUUID } from 'node:crypto';
import { type ConsumeMessage } from 'amqplib';
import { rabbitmqUrl } from '@shop/testing';
import { RabbitMqConnection } from './rabbitmq-connection';

describe('RabbitMQ broker (real)', () => {
  let connection: RabbitMqConnection;

  beforeAll(async () => {
    connection = new RabbitMqConnection(await rabbitmqUrl());
    await connection.connect();
  });

  afterAll(async () => {
    await connection.close();
  });

  it('confirms a persistent publish, and redelivers a message that was not acked', async () => {
    const model = await connection.connect();
    const queue = `int-spec.${randomUUID()}`;
    const publisher = await model.createConfirmChannel();
    await publisher.assertQueue(queue, { durable: true, autoDelete: false });
    const published = new Promise<void>((resolve, reject) =>
      publisher.sendToQueue(queue, Buffer.from('task-1'), { persistent: true, messageId: 'task-1' }, (error) => (error ? reject(error) : resolve())),
    );
    await expect(published).resolves.toBeUndefined();

    // First consumer takes the message with manual acks and dies without acking: the broker must redeliver it.
    const first = await model.createChannel();
    await first.prefetch(1);
    const firstDelivery = await new Promise<ConsumeMessage>((resolve) => {
      void first.consume(queue, (message) => message && resolve(message), { noAck: false });
    });
    expect(firstDelivery.content.toString()).toBe('task-1');
    expect(firstDelivery.fields.redelivered).toBe(false);
    await first.close();

    const second = await model.createChannel();
    await second.prefetch(1);
    const redelivery = await new Promise<ConsumeMessage>((resolve) => {
      void second.consume(queue, (message) => message && resolve(message), { noAck: false });
    });
    expect(redelivery.properties.messageId).toBe('task-1');
    expect(redelivery.fields.redelivered).toBe(true);
    second.ack(redelivery);
    await second.close();

    const check = await model.createChannel();
    const { messageCount } = await check.checkQueue(queue);
    expect(messageCount).toBe(0);
    await check.deleteQueue(queue);
    await check.close();
    await publisher.close();
  });
});
