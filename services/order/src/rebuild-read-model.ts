/**
 * `npm run rebuild:order-read-model [-- --swap]`: replays orders.events.v1 from the beginning into a fresh read model
 * (schema `read_model_rebuild`) with the same projection the live consumer uses, stops at the end of every partition,
 * and prints how the result compares with the live read model. With --swap the rebuilt tables replace the live ones.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { type Envelope, TOPICS } from '@shop/contracts';
import { createKafka, parseEnvelope } from '@shop/messaging';
import { createDataSource, createLogger, loadConfig, runService } from '@shop/platform';
import { orderConfigSchema } from './config/order.config';
import { orderDatabase } from './infrastructure/persistence/database';
import { projectOrderEvent } from './infrastructure/projections/order-read-model.projection';

export const REBUILD_SCHEMA = 'read_model_rebuild';

void runService('order-rebuild', async () => {
  const config = loadConfig(orderConfigSchema.pick({ ORDER_DATABASE_URL: true, KAFKA_BROKERS: true, LOG_LEVEL: true }));
  const logger = createLogger('order-rebuild', config.LOG_LEVEL);
  const dataSource = createDataSource(orderDatabase(config.ORDER_DATABASE_URL));
  await dataSource.initialize();
  const kafka = createKafka({ clientId: 'order-rebuild', brokers: config.KAFKA_BROKERS, logger });
  const started = Date.now();
  try {
    await dataSource.query(`DROP SCHEMA IF EXISTS ${REBUILD_SCHEMA} CASCADE`);
    await dataSource.query(`CREATE SCHEMA ${REBUILD_SCHEMA}`);
    await dataSource.query(`CREATE TABLE ${REBUILD_SCHEMA}.order_views (LIKE public.order_views INCLUDING ALL)`);
    await dataSource.query(`CREATE TABLE ${REBUILD_SCHEMA}.sales_by_product (LIKE public.sales_by_product INCLUDING ALL)`);

    const admin = kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(TOPICS.orders);
    await admin.disconnect();
    const remaining = new Map(ends.filter((p) => BigInt(p.high) > 0n).map((p) => [p.partition, BigInt(p.high)]));
    const seen = new Set<string>();
    let events = 0;

    const consumer = kafka.consumer({ groupId: `order-read-model-rebuild-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topics: [TOPICS.orders], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      if (remaining.size === 0) return resolve();
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            let envelope: Envelope | undefined;
            try {
              envelope = parseEnvelope(message.value);
            } catch {
              envelope = undefined; // a poison message: the live consumer dead-lettered it too
            }
            // The topic is at-least-once: apply each message id once, as the live inbox does.
            if (envelope && !seen.has(envelope.id)) {
              seen.add(envelope.id);
              await dataSource.transaction((manager) => projectOrderEvent(manager, envelope, REBUILD_SCHEMA));
              events++;
            }
            if (BigInt(message.offset) + 1n >= (remaining.get(partition) ?? 0n)) {
              remaining.delete(partition);
              if (remaining.size === 0) resolve();
            }
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();

    const [diff] = await dataSource.query(`
      SELECT
        (SELECT count(*) FROM ${REBUILD_SCHEMA}.order_views)::int AS rebuilt,
        (SELECT count(*) FROM public.order_views)::int AS live,
        (SELECT count(*) FROM (
           (SELECT id, status, reason, total_cents, items, history, tracking_number FROM ${REBUILD_SCHEMA}.order_views
            EXCEPT SELECT id, status, reason, total_cents, items, history, tracking_number FROM public.order_views)
           UNION ALL
           (SELECT id, status, reason, total_cents, items, history, tracking_number FROM public.order_views
            EXCEPT SELECT id, status, reason, total_cents, items, history, tracking_number FROM ${REBUILD_SCHEMA}.order_views)
         ) d)::int AS differing`);
    logger.info({ events, ms: Date.now() - started, ...diff }, 'read model rebuilt from orders.events.v1');
    process.stdout.write(`${JSON.stringify({ events, ...diff })}\n`);

    if (process.argv.includes('--swap')) {
      await dataSource.transaction(async (manager) => {
        await manager.query(`TRUNCATE public.order_views, public.sales_by_product`);
        await manager.query(`INSERT INTO public.order_views SELECT * FROM ${REBUILD_SCHEMA}.order_views`);
        await manager.query(`INSERT INTO public.sales_by_product SELECT * FROM ${REBUILD_SCHEMA}.sales_by_product`);
      });
      logger.info('live read model replaced by the rebuilt one');
    }
  } finally {
    await dataSource.destroy();
  }
});
