import { randomUUID } from 'node:crypto';
import { type Kafka } from 'kafkajs';
import { deadLetterTopic, type Envelope } from '@shop/contracts';
import { createLogger, DependencyUnavailableError, DomainError, HealthRegistry } from '@shop/platform';
import { ensureTopics, eventually, kafkaBrokers } from '@shop/testing';
import { envelope } from '../envelope';
import { KafkaConsumers, MAX_RETRY_DELAY_MS, OFFSET_COMMIT_INTERVAL_MS } from './kafka-consumers';
import { createKafka } from './kafka.module';
import { KafkaPublisher } from './kafka-publisher';

describe('Kafka consumer groups', () => {
  it('gives every consumer group every event, independently', async () => {
    const kafka = createKafka({ clientId: 'consumers-spec', brokers: await kafkaBrokers() });
    const topic = `consumers-spec.${randomUUID()}`;
    const consumers = new KafkaConsumers(kafka, new HealthRegistry(), createLogger('spec', 'silent'));
    const seen: Record<string, string[]> = { a: [], b: [] };
    consumers.subscribe({ groupId: `a-${randomUUID()}`, topics: [topic], handle: async (m) => void seen.a.push(m.id) });
    consumers.subscribe({ groupId: `b-${randomUUID()}`, topics: [topic], handle: async (m) => void seen.b.push(m.id) });
    consumers.onApplicationBootstrap();
    await eventually('groups running', async () => ((await consumers.running()) ? true : undefined), 30_000);
    const publisher = new KafkaPublisher(kafka);
    try {
      const messages = [1, 2, 3].map((n) => envelope('thing.happened.v1', { n }, { correlationId: 'c' }));
      await publisher.publish(messages.map((m) => ({ topic, key: 'same-aggregate', value: JSON.stringify(m), headers: {} })));
      await eventually('both groups got all three', async () => (seen.a.length === 3 && seen.b.length === 3 ? true : undefined), 30_000);
      expect(seen.a).toEqual(messages.map((m) => m.id));
      expect(seen.b).toEqual(messages.map((m) => m.id));
    } finally {
      await publisher.close();
      await consumers.beforeApplicationShutdown();
    }
  });

  it('handles the partitions of a fetch at once, each partition in order', async () => {
    const kafka = createKafka({ clientId: 'partitions-spec', brokers: await kafkaBrokers() });
    const topic = `partitions-spec.${randomUUID()}`;
    // The records are there before the group starts, so its first fetch brings all three partitions.
    await ensureTopics(kafka, [topic]);
    const producer = kafka.producer();
    await producer.connect();
    const names = [0, 1, 2].flatMap((partition) => [`p${partition}-first`, `p${partition}-second`].map((name) => ({ partition, name })));
    await producer.send({
      topic,
      acks: -1,
      messages: names.map(({ partition, name }) => ({ partition, key: name, value: JSON.stringify(envelope('thing.happened.v1', { name }, { correlationId: 'c' })) })),
    });
    await producer.disconnect();

    const consumers = new KafkaConsumers(kafka, new HealthRegistry(), createLogger('spec', 'silent'));
    const seen: string[] = [];
    let inHand = 0;
    let mostInHand = 0;
    consumers.subscribe({
      groupId: `partitions-spec-${randomUUID()}`,
      topics: [topic],
      handle: async (message) => {
        inHand++;
        mostInHand = Math.max(mostInHand, inHand);
        // Hold each message until the three partitions are all in hand (or a while has passed), as a handler
        // waiting on its database would.
        const until = Date.now() + 3_000;
        while (inHand < 3 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
        await new Promise((resolve) => setTimeout(resolve, 20));
        inHand--;
        seen.push((message.data as { name: string }).name);
      },
    });
    consumers.onApplicationBootstrap();
    try {
      await eventually('all six handled', async () => (seen.length === 6 ? true : undefined), 60_000);
      expect(mostInHand).toBe(3);
      for (const partition of [0, 1, 2]) {
        expect(seen.filter((name) => name.startsWith(`p${partition}-`))).toEqual([`p${partition}-first`, `p${partition}-second`]);
      }
    } finally {
      await consumers.beforeApplicationShutdown();
    }
  });

  it('dead-letters a poison message after bounded attempts, one that breaks its contract at once, and keeps consuming the partition', async () => {
    const kafka = createKafka({ clientId: 'dlq-spec', brokers: await kafkaBrokers() });
    const topic = `dlq-spec.${randomUUID()}`;
    const consumers = new KafkaConsumers(kafka, new HealthRegistry(), createLogger('spec', 'silent'));
    const handled: Envelope[] = [];
    let poisonAttempts = 0;
    let invalidAttempts = 0;
    consumers.subscribe({
      groupId: `dlq-spec-${randomUUID()}`,
      topics: [topic],
      maxAttempts: 3,
      retryDelayMs: 10,
      handle: async (message) => {
        if ((message.data as { poison?: boolean }).poison) {
          poisonAttempts++;
          throw new Error('cannot handle this one');
        }
        if ((message.data as { invalid?: boolean }).invalid) {
          invalidAttempts++;
          throw new DomainError('REQUEST.INVALID', 'invalid', 'breaks the contract');
        }
        handled.push(message);
      },
    });
    consumers.onApplicationBootstrap();
    await eventually('group running', async () => ((await consumers.running()) ? true : undefined), 30_000);
    const publisher = new KafkaPublisher(kafka);
    let deadLetters: DeadLetterReader | undefined;
    try {
      const poison = envelope('thing.happened.v1', { poison: true }, { correlationId: 'c' });
      const invalid = envelope('thing.happened.v1', { invalid: true }, { correlationId: 'c' });
      const good = envelope('thing.happened.v1', { poison: false }, { correlationId: 'c' });
      // Same key, so the same partition: the good message queues behind the poison ones.
      await publisher.publish([
        { topic, key: 'k', value: 'not json at all', headers: {} },
        { topic, key: 'k', value: JSON.stringify(poison), headers: {} },
        { topic, key: 'k', value: JSON.stringify(invalid), headers: {} },
        { topic, key: 'k', value: JSON.stringify(good), headers: {} },
      ]);
      await eventually('the good message after the poison ones', async () => (handled.length === 1 ? true : undefined), 30_000);
      expect(handled[0].id).toBe(good.id);
      expect(poisonAttempts).toBe(3);
      expect(invalidAttempts).toBe(1);

      deadLetters = await readDeadLetters(kafka, topic);
      const dlqSeen = await deadLetters.waitFor(3);
      expect(dlqSeen[0].value).toBe('not json at all');
      expect(JSON.parse(dlqSeen[1].value).id).toBe(poison.id);
      expect(dlqSeen[1].headers['x-error']).toBe('cannot handle this one');
      expect(dlqSeen[1].headers['x-attempts']).toBe('3');
      expect(dlqSeen[1].headers['x-original-topic']).toBe(topic);
      expect(JSON.parse(dlqSeen[2].value).id).toBe(invalid.id);
      expect(dlqSeen[2].headers['x-attempts']).toBe('1');
    } finally {
      await deadLetters?.stop();
      await publisher.close();
      await consumers.beforeApplicationShutdown();
    }
  });

  it('waits out a dependency that is down past maxAttempts and the session timeout, sending heartbeats, so it stays in its group', async () => {
    let joins = 0;
    const kafka = onConsumerEvent(createKafka({ clientId: 'outage-spec', brokers: await kafkaBrokers() }), 'consumer.group_join', () => void joins++);
    const group = await groupOnOwnTopic(kafka, 'outage-spec');
    const consumers = new KafkaConsumers(kafka, new HealthRegistry(), createLogger('spec', 'silent'));
    const tries: number[] = [];
    const handled: string[] = [];
    // Longer than the group's session timeout (30 s): a member that sent no heartbeat meanwhile would be removed.
    const outageMs = 35_000;
    let firstTry: number | undefined;
    consumers.subscribe({
      groupId: group.groupId,
      topics: [group.topic],
      maxAttempts: 2,
      retryDelayMs: 10,
      handle: async (message) => {
        firstTry ??= Date.now();
        tries.push(Date.now());
        if (Date.now() - firstTry < outageMs) throw new DependencyUnavailableError('database', 'connection refused');
        handled.push(message.id);
      },
    });
    consumers.onApplicationBootstrap();
    const publisher = new KafkaPublisher(kafka);
    let deadLetters: DeadLetterReader | undefined;
    try {
      await eventually('group running', async () => ((await consumers.running()) ? true : undefined), 30_000);
      expect(joins).toBe(1);
      const message = envelope('thing.happened.v1', {}, { correlationId: 'c' });
      await publisher.publish([{ topic: group.topic, key: 'k', value: JSON.stringify(message), headers: {} }]);
      await eventually('handled once the dependency is back', async () => (handled.length === 1 ? true : undefined), outageMs + 30_000);
      expect(handled).toEqual([message.id]);
      expect(tries.length).toBeGreaterThan(2);
      // Never more than MAX_RETRY_DELAY_MS between two tries, and never removed from the group and made to rejoin.
      expect(Math.max(...tries.slice(1).map((at, n) => at - tries[n]))).toBeLessThan(MAX_RETRY_DELAY_MS + 1_000);
      expect(joins).toBe(1);
      deadLetters = await readDeadLetters(kafka, group.topic);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(deadLetters.seen).toEqual([]);
    } finally {
      await deadLetters?.stop();
      await publisher.close();
      await consumers.beforeApplicationShutdown();
      await group.close();
    }
  }, 120_000);

  it('dead-letters a message whose dependency stays down past the budget, and the partition moves on', async () => {
    const kafka = createKafka({ clientId: 'outage-budget-spec', brokers: await kafkaBrokers() });
    const group = await groupOnOwnTopic(kafka, 'outage-budget-spec');
    const consumers = new KafkaConsumers(kafka, new HealthRegistry(), createLogger('spec', 'silent'));
    let tries = 0;
    const handled: string[] = [];
    consumers.subscribe({
      groupId: group.groupId,
      topics: [group.topic],
      maxAttempts: 2,
      retryDelayMs: 10,
      unavailableBudgetMs: 1_500,
      handle: async (message) => {
        if ((message.data as { down?: boolean }).down) {
          tries++;
          throw new DependencyUnavailableError('database', 'connection refused');
        }
        handled.push(message.id);
      },
    });
    consumers.onApplicationBootstrap();
    const publisher = new KafkaPublisher(kafka);
    const deadLetters = await readDeadLetters(kafka, group.topic);
    try {
      await eventually('group running', async () => ((await consumers.running()) ? true : undefined), 30_000);
      const down = envelope('thing.happened.v1', { down: true }, { correlationId: 'c' });
      const next = envelope('thing.happened.v1', { down: false }, { correlationId: 'c' });
      const startedAt = Date.now();
      await publisher.publish([down, next].map((m) => ({ topic: group.topic, key: 'k', value: JSON.stringify(m), headers: {} })));
      await eventually('the next message handled', async () => (handled.length === 1 ? true : undefined), 30_000);
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1_500);
      expect(handled).toEqual([next.id]);
      expect(tries).toBeGreaterThan(2);
      const [parked] = await deadLetters.waitFor(1);
      expect(JSON.parse(parked.value).id).toBe(down.id);
      expect(parked.headers['x-error']).toBe('database is unavailable: connection refused');
      expect(Number(parked.headers['x-attempts'])).toBe(tries);
    } finally {
      await deadLetters.stop();
      await publisher.close();
      await consumers.beforeApplicationShutdown();
      await group.close();
    }
  });

  it('disconnects a consumer whose start fails after it connected, before it tries again', async () => {
    let connects = 0;
    let disconnects = 0;
    const kafka = createKafka({ clientId: 'failed-start-spec', brokers: await kafkaBrokers() });
    const counting = onConsumerEvent(onConsumerEvent(kafka, 'consumer.connect', () => void connects++), 'consumer.disconnect', () => void disconnects++);
    const consumers = new KafkaConsumers(counting, new HealthRegistry(), createLogger('spec', 'silent'));
    // Kafka refuses the name: on every try the consumer connects, then its subscribe fails.
    consumers.subscribe({ groupId: `failed-start-spec-${randomUUID()}`, topics: ['not a valid topic name!'], handle: async () => undefined });
    consumers.onApplicationBootstrap();
    try {
      await eventually('three tries', async () => (connects >= 3 ? true : undefined), 30_000);
      // At most the try under way is connected; every failed one was disconnected.
      expect(connects - disconnects).toBeLessThanOrEqual(1);
      expect(await consumers.running()).toBe(false);
    } finally {
      await consumers.beforeApplicationShutdown();
    }
    await eventually('every try disconnected', async () => (connects === disconnects ? true : undefined), 10_000);
  });

  it('shuts down within its bounds while a handler is stuck, committing what was handled before it', async () => {
    const kafka = createKafka({ clientId: 'stuck-spec', brokers: await kafkaBrokers() });
    const group = await groupOnOwnTopic(kafka, 'stuck-spec');
    const consumers = new KafkaConsumers(kafka, new HealthRegistry(), createLogger('spec', 'silent'));
    const handled: string[] = [];
    let stuck = false;
    consumers.subscribe({
      groupId: group.groupId,
      topics: [group.topic],
      handle: async (message) => {
        if ((message.data as { hang?: boolean }).hang) {
          stuck = true;
          await new Promise(() => undefined); // a dependency that never answers
        }
        handled.push(message.id);
      },
    });
    consumers.onApplicationBootstrap();
    const publisher = new KafkaPublisher(kafka);
    try {
      await eventually('group running', async () => ((await consumers.running()) ? true : undefined), 30_000);
      const first = envelope('thing.happened.v1', {}, { correlationId: 'c' });
      const hang = envelope('thing.happened.v1', { hang: true }, { correlationId: 'c' });
      await publisher.publish([first, hang].map((m) => ({ topic: group.topic, key: 'k', value: JSON.stringify(m), headers: {} })));
      await eventually('the handler stuck', async () => (stuck ? true : undefined), 30_000);
      const started = Date.now();
      await consumers.beforeApplicationShutdown();
      // Ten seconds for the handlers in hand, then at most ten for kafkajs's disconnect.
      expect(Date.now() - started).toBeLessThan(25_000);
      expect(handled).toEqual([first.id]);
      expect(await group.committed()).toBe(1);
    } finally {
      await publisher.close();
      await group.close();
    }
  }, 60_000);

  it('commits handled offsets once per interval rather than per message, and what is left on shutdown', async () => {
    const kafka = createKafka({ clientId: 'commit-spec', brokers: await kafkaBrokers() });
    const group = await groupOnOwnTopic(kafka, 'commit-spec');
    // The same client, with every consumer it makes counting its offset commits.
    let commits = 0;
    const counting = onConsumerEvent(kafka, 'consumer.commit_offsets', () => void commits++);
    const consumers = new KafkaConsumers(counting, new HealthRegistry(), createLogger('spec', 'silent'));
    const seen: string[] = [];
    consumers.subscribe({ groupId: group.groupId, topics: [group.topic], handle: async (m) => void seen.push(m.id) });
    consumers.onApplicationBootstrap();
    const publisher = new KafkaPublisher(kafka);
    try {
      await eventually('group running', async () => ((await consumers.running()) ? true : undefined), 30_000);
      // Thirty messages over about a second arrive in many small fetches; kafkajs's auto-commit would commit each.
      const started = Date.now();
      await publishOneByOne(publisher, group.topic, 0, 30);
      await eventually('thirty handled and committed', async () => (seen.length === 30 && (await group.committed()) === 30 ? true : undefined), 30_000);
      expect(commits).toBeLessThanOrEqual(Math.ceil((Date.now() - started) / OFFSET_COMMIT_INTERVAL_MS) + 1);
      expect(commits).toBeGreaterThanOrEqual(1);

      // Handled, then shut down before the interval is up: the shutdown commits them.
      await publishOneByOne(publisher, group.topic, 30, 35);
      await eventually('five more handled', async () => (seen.length === 35 ? true : undefined), 30_000);
    } finally {
      await publisher.close();
      await consumers.beforeApplicationShutdown();
    }
    try {
      expect(await group.committed()).toBe(35);
    } finally {
      await group.close();
    }
  });

  it('keeps committing after a rebalance: a second member joins mid-stream and the group still commits to the end', async () => {
    const kafka = createKafka({ clientId: 'rebalance-spec', brokers: await kafkaBrokers() });
    const group = await groupOnOwnTopic(kafka, 'rebalance-spec');
    const seen = new Set<string>();
    const member = (): KafkaConsumers => {
      const consumers = new KafkaConsumers(kafka, new HealthRegistry(), createLogger('spec', 'silent'));
      consumers.subscribe({ groupId: group.groupId, topics: [group.topic], handle: async (m) => void seen.add(m.id) });
      consumers.onApplicationBootstrap();
      return consumers;
    };
    const first = member();
    let second: KafkaConsumers | undefined;
    const publisher = new KafkaPublisher(kafka);
    try {
      await eventually('first member running', async () => ((await first.running()) ? true : undefined), 30_000);
      await publishOneByOne(publisher, group.topic, 0, 20);
      second = member();
      await publishOneByOne(publisher, group.topic, 20, 40);
      await eventually('second member running', async () => ((await second?.running()) ? true : undefined), 60_000);
      await publishOneByOne(publisher, group.topic, 40, 60);
      // Redelivery after the rebalance is allowed (the inbox drops it); a gap in the committed offsets is not.
      await eventually('sixty handled and committed', async () => (seen.size === 60 && (await group.committed()) === 60 ? true : undefined), 60_000);
    } finally {
      await publisher.close();
      await Promise.all([first.beforeApplicationShutdown(), second?.beforeApplicationShutdown()]);
      await group.close();
    }
  }, 120_000);
});

/** A topic and a consumer group id of a spec's own, and the sum of the group's committed offsets on that topic. */
async function groupOnOwnTopic(
  kafka: Kafka,
  name: string,
): Promise<{ topic: string; groupId: string; committed: () => Promise<number>; close: () => Promise<void> }> {
  const topic = `${name}.${randomUUID()}`;
  const groupId = `${name}-${randomUUID()}`;
  await ensureTopics(kafka, [topic]);
  const admin = kafka.admin();
  await admin.connect();
  return {
    topic,
    groupId,
    committed: async () => (await admin.fetchOffsets({ groupId, topics: [topic] }))[0].partitions.reduce((sum, p) => sum + Math.max(Number(p.offset), 0), 0),
    close: () => admin.disconnect(),
  };
}

/** Publishes messages `from` to `to` (exclusive) one send at a time, 20 ms apart, each under its own key. */
async function publishOneByOne(publisher: KafkaPublisher, topic: string, from: number, to: number): Promise<void> {
  for (let i = from; i < to; i++) {
    const message = envelope('thing.happened.v1', { i }, { correlationId: 'c' });
    await publisher.publish([{ topic, key: `k${i}`, value: JSON.stringify(message), headers: {} }]);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The same client, calling `listener` on `event` of every consumer it makes. */
function onConsumerEvent(
  kafka: Kafka,
  event: 'consumer.commit_offsets' | 'consumer.group_join' | 'consumer.connect' | 'consumer.disconnect',
  listener: () => void,
): Kafka {
  return Object.create(kafka, {
    consumer: {
      value: (config: Parameters<Kafka['consumer']>[0]) => {
        const consumer = kafka.consumer(config);
        consumer.on(event, listener);
        return consumer;
      },
    },
  }) as Kafka;
}

interface DeadLetterReader {
  readonly seen: ReadonlyArray<{ value: string; headers: Record<string, string> }>;
  waitFor(count: number): Promise<ReadonlyArray<{ value: string; headers: Record<string, string> }>>;
  stop(): Promise<void>;
}

/** Reads `<topic>.dlq` from its beginning with a group of its own. */
async function readDeadLetters(kafka: Kafka, topic: string): Promise<DeadLetterReader> {
  const seen: Array<{ value: string; headers: Record<string, string> }> = [];
  const consumer = kafka.consumer({ groupId: `dlq-reader-${randomUUID()}` });
  await ensureTopics(kafka, [deadLetterTopic(topic)]);
  await consumer.connect();
  await consumer.subscribe({ topics: [deadLetterTopic(topic)], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
      seen.push({ value: message.value?.toString() ?? '', headers });
    },
  });
  return {
    seen,
    waitFor: (count) => eventually(`${count} dead letters`, async () => (seen.length >= count ? seen : undefined), 30_000),
    stop: () => consumer.disconnect(),
  };
}
