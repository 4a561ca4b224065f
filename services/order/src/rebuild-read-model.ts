/**
 * `npm run rebuild:order-read-model [-- --swap]`: CQRS read model rebuild (docs/patterns/08-cqrs.md). Replays
 * orders.events.v1 from the beginning into a fresh read model (schema `read_model_rebuild`) with the same projection
 * the live consumer uses, compares it with the live read model at the same position in the topic, and prints the
 * comparison as one JSON line. With --swap the rebuilt tables then replace the live ones, or the run exits 1 saying why
 * it may not (infrastructure/projections/read-model-rebuild.ts has the rules).
 */
import 'reflect-metadata';
import { CONSUMER_GROUPS, TOPICS } from '@shop/contracts';
import { createKafka } from '@shop/messaging';
import { createDataSource, createLogger, loadConfig, runService } from '@shop/platform';
import { orderConfigSchema } from './config/order.config';
import { orderDatabase } from './infrastructure/persistence/database';
import { rebuildReadModel, type RebuildOptions, swapReadModel } from './infrastructure/projections/read-model-rebuild';

void runService('order-rebuild', async () => {
  const config = loadConfig(
    orderConfigSchema.pick({ ORDER_DATABASE_URL: true, KAFKA_BROKERS: true, ORDER_CONSUMER_GROUP_PREFIX: true, LOG_LEVEL: true }),
  );
  const logger = createLogger('order-rebuild', config.LOG_LEVEL);
  const dataSource = createDataSource(orderDatabase(config.ORDER_DATABASE_URL));
  await dataSource.initialize();
  const options: RebuildOptions = {
    dataSource,
    kafka: createKafka({ clientId: 'order-rebuild', brokers: config.KAFKA_BROKERS, logger }),
    topic: TOPICS.orders,
    liveGroup: `${config.ORDER_CONSUMER_GROUP_PREFIX}${CONSUMER_GROUPS.orderReadModel}`,
    logger,
  };
  const started = Date.now();
  try {
    const summary = await rebuildReadModel(options);
    logger.info({ ...summary, ms: Date.now() - started }, 'read model rebuilt from orders.events.v1');
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    if (process.argv.includes('--swap')) await swapReadModel(options, summary);
  } finally {
    await dataSource.destroy();
  }
});
