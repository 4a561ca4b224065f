import { randomUUID } from 'node:crypto';
import { kafkaBrokers } from '@shop/testing';
import { createKafka } from './kafka.module';

describe('Kafka broker (real, KRaft)', () => {
  it('delivers a produced message to a consumer group, key and headers intact', async () => {
    const kafka = createKafka({ clientId: 'kafka-int-spec', brokers: await kafkaBrokers() });
    const topic = `int-spec.${randomUUID()}`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    await admin.disconnect();

    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    const consumer = kafka.consumer({ groupId: `int-spec-${randomUUID()}` });
    try {
      await producer.connect();
      const key = randomUUID();
      await producer.send({ topic, acks: -1, messages: [{ key, value: JSON.stringify({ hello: 'kafka' }), headers: { traceparent: '00-abc-def-01' } }] });

      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      const received = await new Promise<{ key: string; value: unknown; traceparent: string }>((resolve) => {
        void consumer.run({
          eachMessage: async ({ message }) =>
            resolve({
              key: message.key?.toString() ?? '',
              value: JSON.parse(message.value?.toString() ?? 'null'),
              traceparent: message.headers?.traceparent?.toString() ?? '',
            }),
        });
      });
      expect(received).toEqual({ key, value: { hello: 'kafka' }, traceparent: '00-abc-def-01' });
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
    }
  });
});
