/**
 * Event sourcing: `node dist/replay.js` (npm run replay:wallets) rebuilds the wallet read models from the events
 * alone: it empties them and replays every event in global order, in batches, then prints the count and rate.
 * See docs/patterns/04-event-sourcing.md.
 */
import { createDataSource, createLogger, loadConfig, runService } from '@shop/platform';
import { paymentConfigSchema } from './config/payment.config';
import { paymentDatabase } from './infrastructure/persistence/database';
import { replayProjections } from './infrastructure/projections/replay-projections';
import { walletProjections } from './infrastructure/projections/wallet-projections';

void runService('payment-replay', async () => {
  const config = loadConfig(paymentConfigSchema.pick({ PAYMENT_DATABASE_URL: true, LOG_LEVEL: true }));
  const logger = createLogger('payment', config.LOG_LEVEL);
  const dataSource = createDataSource({ ...paymentDatabase(config.PAYMENT_DATABASE_URL), poolSize: 2, statementTimeoutMs: 60_000 });
  await dataSource.initialize();
  try {
    const projections = walletProjections();
    const result = await replayProjections(dataSource, projections, {
      onBatch: (replayed) => logger.debug({ replayed }, 'replay batch applied'),
    });
    const perSecond = result.ms > 0 ? Math.round((result.events * 1_000) / result.ms) : result.events;
    logger.info({ events: result.events, batches: result.batches, ms: Math.round(result.ms), perSecond }, 'wallet projections rebuilt');
    process.stdout.write(
      `Replayed ${result.events} events into ${projections.map((p) => p.name).join(', ')} in ${(result.ms / 1_000).toFixed(2)} s: ${perSecond} events/s\n`,
    );
  } finally {
    await dataSource.destroy();
  }
});
