import { randomUUID } from 'node:crypto';
import { type Envelope } from '@shop/contracts';
import { createLogger, DependencyUnavailableError } from '@shop/platform';
import { eventually, rabbitmqUrl } from '@shop/testing';
import { envelope } from '../envelope';
import { RabbitMqConnection } from './rabbitmq-connection';
import { RabbitMqPublisher } from './rabbitmq-publisher';
import { assertWorkQueue, WorkQueueConsumer, type WorkQueueTopology } from './work-queue';

const logger = createLogger('spec', 'silent');

function topology(): WorkQueueTopology {
  const name = `spec.${randomUUID()}`;
  return {
    exchange: `${name}.x`,
    routingKey: 'task',
    queue: `${name}.q`,
    retryExchange: `${name}.retry.x`,
    retryQueue: `${name}.retry.q`,
    deadLetterQueue: `${name}.dlq`,
  };
}

describe('RabbitMQ work queue', () => {
  let connection: RabbitMqConnection;

  beforeAll(async () => {
    connection = new RabbitMqConnection(await rabbitmqUrl());
    await connection.connect();
  });

  afterAll(async () => {
    await connection.close();
  });

  async function publishTasks(t: WorkQueueTopology, tasks: Envelope[]): Promise<void> {
    const channel = await (await connection.connect()).createChannel();
    await assertWorkQueue(channel, t, 100);
    await channel.close();
    await new RabbitMqPublisher(connection).publish(
      tasks.map((task) => ({ exchange: t.exchange, routingKey: t.routingKey, messageId: task.id, type: task.type, body: JSON.stringify(task), headers: {} })),
    );
  }

  it('hands each task to exactly one of two competing workers', async () => {
    const t = topology();
    const done: Array<{ worker: string; id: string }> = [];
    const worker = (name: string): WorkQueueConsumer =>
      new WorkQueueConsumer(connection, t, { prefetch: 5, maxAttempts: 3, retryDelayMs: 100 }, async (task) => void done.push({ worker: name, id: task.id }), logger);
    const [one, two] = [worker('one'), worker('two')];
    one.start();
    two.start();
    const tasks = Array.from({ length: 100 }, (_, n) => envelope('spec.do-work.v1', { n }, { correlationId: 'c' }));
    await publishTasks(t, tasks);
    await eventually('all tasks done', async () => (done.length >= 100 ? true : undefined), 20_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(done).toHaveLength(100);
    expect(new Set(done.map((d) => d.id)).size).toBe(100);
    expect(new Set(done.map((d) => d.worker))).toEqual(new Set(['one', 'two']));
    await Promise.all([one.stop(), two.stop()]);
  });

  it('retries a failing task after a delay and parks it on the dead-letter queue after the last attempt, while others flow', async () => {
    const t = topology();
    const attempts: number[] = [];
    const done: string[] = [];
    const consumer = new WorkQueueConsumer(
      connection,
      t,
      { prefetch: 5, maxAttempts: 3, retryDelayMs: 100 },
      async (task, delivery) => {
        if ((task.data as { poison: boolean }).poison) {
          attempts.push(delivery.attempt);
          throw new Error('cannot ship this');
        }
        done.push(task.id);
      },
      logger,
    );
    consumer.start();
    const poison = envelope('spec.do-work.v1', { poison: true }, { correlationId: 'c' });
    const good = Array.from({ length: 5 }, () => envelope('spec.do-work.v1', { poison: false }, { correlationId: 'c' }));
    await publishTasks(t, [poison, ...good]);
    await eventually('good tasks done', async () => (done.length === 5 ? true : undefined), 10_000);
    await eventually('poison dead-lettered', async () => {
      const channel = await (await connection.connect()).createChannel();
      const { messageCount } = await channel.checkQueue(t.deadLetterQueue);
      await channel.close();
      return messageCount === 1 ? true : undefined;
    }, 10_000);
    expect(attempts).toEqual([1, 2, 3]);
    const channel = await (await connection.connect()).createChannel();
    const parked = await channel.get(t.deadLetterQueue, { noAck: true });
    expect(parked && JSON.parse(parked.content.toString()).id).toBe(poison.id);
    expect(parked && parked.properties.headers?.['x-error']).toBe('cannot ship this');
    await channel.close();
    await consumer.stop();
  });

  it('does not count failures on a dependency that is down: retries them past maxAttempts, and parks a task only once the outage outlasts its budget', async () => {
    const t = topology();
    const tries = new Map<string, number>();
    const done: string[] = [];
    const consumer = new WorkQueueConsumer(
      connection,
      t,
      { prefetch: 5, maxAttempts: 2, retryDelayMs: 100, unavailableBudgetMs: 1_500 },
      async (task) => {
        const n = (tries.get(task.id) ?? 0) + 1;
        tries.set(task.id, n);
        const { failures } = task.data as { failures: number };
        if (n <= failures) throw new DependencyUnavailableError('database', 'connection refused');
        done.push(task.id);
      },
      logger,
    );
    consumer.start();
    // Down for five tries, more than maxAttempts, then back; and one whose dependency never comes back.
    const recovers = envelope('spec.do-work.v1', { failures: 5 }, { correlationId: 'c' });
    const never = envelope('spec.do-work.v1', { failures: Number.MAX_SAFE_INTEGER }, { correlationId: 'c' });
    const startedAt = Date.now();
    await publishTasks(t, [recovers, never]);
    await eventually('the recovering task done', async () => (done.includes(recovers.id) ? true : undefined), 10_000);
    expect(tries.get(recovers.id)).toBe(6);
    const channel = await (await connection.connect()).createChannel();
    try {
      const parked = await eventually('the other parked after its budget', async () => (await channel.get(t.deadLetterQueue, { noAck: true })) || undefined, 15_000);
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1_500);
      expect(JSON.parse(parked.content.toString()).id).toBe(never.id);
      expect(tries.get(never.id)).toBeGreaterThan(2);
      const headers = parked.properties.headers ?? {};
      expect(headers['x-attempts']).toBe(0);
      expect(Number(headers['x-unavailable-since'])).toBeGreaterThanOrEqual(startedAt);
      expect(headers['x-error']).toBe('database is unavailable: connection refused');
    } finally {
      await channel.close();
      await consumer.stop();
    }
  });

  it('acks a task only once its own work is done, even when every task after it is done (acks are batched)', async () => {
    const t = topology();
    const own = new RabbitMqConnection(await rabbitmqUrl());
    await own.connect();
    let release = (): void => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const tasks = Array.from({ length: 20 }, (_, n) => envelope('spec.do-work.v1', { n }, { correlationId: 'c' }));
    const done: string[] = [];
    const consumer = new WorkQueueConsumer(
      own,
      t,
      { prefetch: 50, maxAttempts: 3, retryDelayMs: 100 },
      async (task) => {
        if (task.id === tasks[0].id) await held;
        done.push(task.id);
      },
      logger,
    );
    consumer.start();
    await publishTasks(t, tasks);
    await eventually('the 19 tasks after the first done', async () => (done.length === 19 ? true : undefined), 10_000);
    await new Promise((r) => setTimeout(r, 300)); // time for any (wrong) ack to reach the broker
    // The worker's connection goes away with the first task unfinished: the broker takes back what was not acked.
    await own.close();
    release();
    const channel = await (await connection.connect()).createChannel();
    try {
      const requeued: string[] = [];
      for (let message = await channel.get(t.queue, { noAck: true }); message; message = await channel.get(t.queue, { noAck: true })) {
        requeued.push((JSON.parse(message.content.toString()) as Envelope).id);
      }
      expect(requeued).toContain(tasks[0].id);
    } finally {
      await channel.close();
    }
    await consumer.stop();
  });

  it('acks every task of a burst, so none comes back after the consumer stops', async () => {
    const t = topology();
    const done: string[] = [];
    const consumer = new WorkQueueConsumer(connection, t, { prefetch: 200, maxAttempts: 3, retryDelayMs: 100 }, async (task) => void done.push(task.id), logger);
    consumer.start();
    await publishTasks(t, Array.from({ length: 500 }, (_, n) => envelope('spec.do-work.v1', { n }, { correlationId: 'c' })));
    await eventually('all tasks done', async () => (done.length === 500 ? true : undefined), 20_000);
    await consumer.stop();
    const channel = await (await connection.connect()).createChannel();
    try {
      expect((await channel.checkQueue(t.queue)).messageCount).toBe(0);
    } finally {
      await channel.close();
    }
    expect(new Set(done).size).toBe(500);
  });

  it('takes no new task once stopping: the tasks in hand finish and are acked, and the rest stay queued for others', async () => {
    const t = topology();
    const started: string[] = [];
    const finished: string[] = [];
    // The first task is quick and the others slow: its ack, sent while the stop waits for the slow one, frees a
    // prefetch slot that the broker would fill again unless the consumer is cancelled first.
    const consumer = new WorkQueueConsumer(
      connection,
      t,
      { prefetch: 2, maxAttempts: 3, retryDelayMs: 100 },
      async (task) => {
        started.push(task.id);
        await new Promise((resolve) => setTimeout(resolve, (task.data as { ms: number }).ms));
        finished.push(task.id);
      },
      logger,
    );
    consumer.start();
    // The stop must begin while the quick task still runs: the spec looks every 5 ms, and the quick task takes 300.
    const tasks = [300, 1_000, 1_000, 1_000, 1_000, 1_000].map((ms) => envelope('spec.do-work.v1', { ms }, { correlationId: 'c' }));
    await publishTasks(t, tasks);
    await eventually('two tasks in hand', async () => (started.length >= 2 ? true : undefined), 10_000, 5);
    expect(finished).toEqual([]);
    await consumer.stop();

    expect(started).toEqual([tasks[0].id, tasks[1].id]);
    expect([...finished].sort()).toEqual([...started].sort());
    const channel = await (await connection.connect()).createChannel();
    try {
      // Nothing handled comes back, nothing unhandled is lost.
      expect((await channel.checkQueue(t.queue)).messageCount).toBe(tasks.length - finished.length);
    } finally {
      await channel.close();
    }
  });
});
