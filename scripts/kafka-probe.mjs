// Exit 0 only when the Kafka broker at argv[2] accepts a produce and serves the record back on fetch.
import { Kafka, logLevel } from 'kafkajs';

const broker = process.argv[2] ?? '127.0.0.1:9092';
const topic = '_shop_probe';
const kafka = new Kafka({ clientId: 'shop-probe', brokers: [broker], logLevel: logLevel.NOTHING, connectionTimeout: 2000, requestTimeout: 5000, retry: { retries: 1 } });
const marker = `probe-${process.pid}-${Date.now()}`;
const timer = setTimeout(() => { console.error('timed out'); process.exit(1); }, 15000);

try {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const [meta] = await producer.send({ topic, messages: [{ value: marker }], acks: -1 });
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: `shop-probe-${process.pid}` });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: false });
  const seen = new Promise((resolve) => {
    consumer.run({ eachMessage: async ({ message }) => { if (message.value?.toString() === marker) resolve(undefined); } });
  });
  consumer.seek({ topic, partition: meta.partition, offset: meta.baseOffset ?? '0' });
  await seen;
  await consumer.disconnect();
  clearTimeout(timer);
  process.exit(0);
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
}
