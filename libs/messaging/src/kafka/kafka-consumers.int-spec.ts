import { randomUUID } from 'node:crypto';
import { deadLetterTopic, type Envelope } from '@shop/contracts';
import { createLogger, HealthRegistry } from '@shop/platform';
import { ensureTopics, eventually, kafkaBrokers } from '@shop/testing';
import { envelope } from '../envelope';
import { KafkaConsumers } from './kafka-consumers';
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

  it('dead-letters a poison message after bounded attempts and keeps consuming the partition', async () => {
    const kafka = createKafka({ clientId: 'dlq-spec', brokers: await kafkaBrokers() });
    const topic = `dlq-spec.${randomUUID()}`;
    const consumers = new KafkaConsumers(kafka, new HealthRegistry(), createLogger('spec', 'silent'));
    const handled: Envelope[] = [];
    let poisonAttempts = 0;
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
        handled.push(message);
      },
    });
    consumers.onApplicationBootstrap();
    await eventually('group running', async () => ((await consumers.running()) ? true : undefined), 30_000);
    const publisher = new KafkaPublisher(kafka);
    const dlqSeen: Array<{ value: string; headers: Record<string, string> }> = [];
    const dlqConsumer = kafka.consumer({ groupId: `dlq-reader-${randomUUID()}` });
    try {
      const poison = envelope('thing.happened.v1', { poison: true }, { correlationId: 'c' });
      const good = envelope('thing.happened.v1', { poison: false }, { correlationId: 'c' });
      // Same key, so the same partition: the good message queues behind the poison one.
      await publisher.publish([
        { topic, key: 'k', value: 'not json at all', headers: {} },
        { topic, key: 'k', value: JSON.stringify(poison), headers: {} },
        { topic, key: 'k', value: JSON.stringify(good), headers: {} },
      ]);
      await eventually('the good message after the poison ones', async () => (handled.length === 1 ? true : undefined), 30_000);
      expect(handled[0].id).toBe(good.id);
      expect(poisonAttempts).toBe(3);

      await dlqConsumer.connect();
      await dlqConsumer.subscribe({ topics: [deadLetterTopic(topic)], fromBeginning: true });
      await dlqConsumer.run({
        eachMessage: async ({ message }) => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
          dlqSeen.push({ value: message.value?.toString() ?? '', headers });
        },
      });
      await eventually('two dead letters', async () => (dlqSeen.length === 2 ? true : undefined), 30_000);
      expect(dlqSeen[0].value).toBe('not json at all');
      expect(JSON.parse(dlqSeen[1].value).id).toBe(poison.id);
      expect(dlqSeen[1].headers['x-error']).toBe('cannot handle this one');
      expect(dlqSeen[1].headers['x-attempts']).toBe('3');
      expect(dlqSeen[1].headers['x-original-topic']).toBe(topic);
    } finally {
      await dlqConsumer.disconnect();
      await publisher.close();
      await consumers.beforeApplicationShutdown();
    }
  });
});
