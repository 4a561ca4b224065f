import { randomUUID } from 'node:crypto';
import { type ConsumeMessage } from 'amqplib';
import { eventually, rabbitmqUrl } from '@shop/testing';
import { RabbitMqConnection } from './rabbitmq-connection';
import { RabbitMqPublisher } from './rabbitmq-publisher';

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

  it('runs every connect listener when one fails, and calls the failed one again until it succeeds', async () => {
    const errors: string[] = [];
    const fresh = new RabbitMqConnection(await rabbitmqUrl(), (error) => errors.push(String(error)));
    let failing = 0;
    let good = 0;
    fresh.onConnect(() => {
      failing++;
      if (failing < 3) throw new Error(`set-up failed (${failing})`);
    });
    fresh.onConnect(() => void good++);
    try {
      await fresh.connect();
      expect(good).toBe(1);
      await eventually('the failed listener run again until it succeeded', async () => (failing === 3 ? true : undefined), 5_000);
      expect(errors).toEqual(['Error: set-up failed (1)', 'Error: set-up failed (2)']);
      // A listener added to a live connection is run at once; its failure is retried too, never an unhandled rejection.
      let late = 0;
      fresh.onConnect(() => {
        late++;
        if (late === 1) return Promise.reject(new Error('late set-up failed'));
      });
      await eventually('the late listener run again', async () => (late === 2 ? true : undefined), 5_000);
      expect(errors).toHaveLength(3);
    } finally {
      await fresh.close();
    }
  });

  it('refuses a batch that the exchange routes to no queue instead of taking the confirm as delivery, and delivers it once a queue is bound', async () => {
    const model = await connection.connect();
    const admin = await model.createChannel();
    const exchange = `int-spec.unbound.${randomUUID()}`;
    const queue = `int-spec.${randomUUID()}`;
    await admin.assertExchange(exchange, 'direct', { durable: false, autoDelete: false });
    const publisher = new RabbitMqPublisher(connection);
    const record = (messageId: string) => ({ exchange, routingKey: 'task', messageId, type: 'task.v1', body: '{}', headers: {} });
    try {
      // The exchange exists but nothing is bound: RabbitMQ would confirm and drop it.
      await expect(publisher.publish([record('lost-1'), record('lost-2')])).rejects.toThrow(`RabbitMQ routed 2 message(s) to no queue (${exchange}/task)`);

      await admin.assertQueue(queue, { durable: false, autoDelete: false });
      await admin.bindQueue(queue, exchange, 'task');
      await publisher.publish([record('kept-1')]);
      expect((await admin.checkQueue(queue)).messageCount).toBe(1);
    } finally {
      await admin.deleteQueue(queue);
      await admin.deleteExchange(exchange);
      await admin.close();
    }
  });
});
