// Benchmark of the payment service's event store (pattern 4, event sourcing). Not a test: it prints figures.
// Against a fresh temporary PostgreSQL database (created, migrated with the built migrations, dropped at the end)
// it measures, with the same number of concurrent connections:
//   base     plain single-row INSERT transactions/s: what PostgreSQL does here with no logic at all
//   append   wallet events appended/s through the built command handlers and event store: load and fold the
//            stream, decide, append with the expected version, update both projections in the same transaction
//   replay   events/s when the projections are emptied and rebuilt from the events alone
// and prints each as a ratio of the base.
// Usage: npx tsc -b services/payment && npm run bench:wallet
// Tuning (environment): BENCH_POSTGRES_URL (admin URL), BENCH_CONCURRENCY (8), BENCH_STREAMS (32),
// BENCH_COMMANDS_PER_STREAM (150), BENCH_BASE_INSERTS (5000).
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import pg from 'pg';
import { positiveIntEnv, ROOT, scratchDatabase } from './lib.mjs';

const DIST = resolve(ROOT, 'services/payment/dist');
const require = createRequire(import.meta.url);

const CONCURRENCY = positiveIntEnv('BENCH_CONCURRENCY', 8);
const STREAMS = positiveIntEnv('BENCH_STREAMS', 32);
const COMMANDS_PER_STREAM = positiveIntEnv('BENCH_COMMANDS_PER_STREAM', 150);
const BASE_INSERTS = positiveIntEnv('BENCH_BASE_INSERTS', 5000);

if (!existsSync(resolve(DIST, 'infrastructure/persistence/postgres-event-store.js'))) {
  console.error('services/payment/dist is missing or old: build it first with `npx tsc -b services/payment`.');
  process.exit(1);
}

const { createDataSource, runMigrations } = require('@shop/platform');
const { paymentDatabase } = require(resolve(DIST, 'infrastructure/persistence/database.js'));
const { PostgresEventStore } = require(resolve(DIST, 'infrastructure/persistence/postgres-event-store.js'));
const { PostgresOrderPayments } = require(resolve(DIST, 'infrastructure/persistence/order-payments.repository.js'));
const { walletProjections } = require(resolve(DIST, 'infrastructure/projections/wallet-projections.js'));
const { replayProjections } = require(resolve(DIST, 'infrastructure/projections/replay-projections.js'));
const { WalletStore } = require(resolve(DIST, 'application/wallet-store.js'));
const { DepositFundsHandler } = require(resolve(DIST, 'application/commands/deposit-funds.command.js'));
const { ChargePaymentHandler } = require(resolve(DIST, 'application/commands/charge-payment.command.js'));

/** Runs `task(i)` for i in [0, total) on `workers` concurrent lanes; returns elapsed seconds. */
async function timed(total, workers, task) {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      for (let i = next++; i < total; i = next++) await task(i);
    }),
  );
  return (performance.now() - started) / 1000;
}

async function benchBase(url) {
  const pool = new pg.Pool({ connectionString: url, max: CONCURRENCY });
  try {
    await pool.query(`CREATE TABLE bench_base (id bigserial PRIMARY KEY, data jsonb NOT NULL, at timestamptz NOT NULL DEFAULT now())`);
    await timed(200, CONCURRENCY, () => pool.query(`INSERT INTO bench_base (data) VALUES ($1)`, [JSON.stringify({ warm: true })]));
    const seconds = await timed(BASE_INSERTS, CONCURRENCY, (i) =>
      pool.query(`INSERT INTO bench_base (data) VALUES ($1)`, [JSON.stringify({ orderId: randomUUID(), amountCents: i })]),
    );
    return { operations: BASE_INSERTS, seconds };
  } finally {
    await pool.end();
  }
}

async function benchAppends(dataSource) {
  const eventStore = new PostgresEventStore(dataSource, walletProjections());
  const wallets = new WalletStore(eventStore);
  const deposit = new DepositFundsHandler(wallets);
  const charge = new ChargePaymentHandler(wallets, new PostgresOrderPayments(dataSource));
  const userIds = Array.from({ length: STREAMS }, () => randomUUID());
  const [{ before }] = await dataSource.query(`SELECT count(*)::int AS before FROM events`);
  // Lane i works on streams i, i+CONCURRENCY, ...: several streams written concurrently, one writer per stream.
  const perLane = Array.from({ length: CONCURRENCY }, (_, lane) => userIds.filter((_, i) => i % CONCURRENCY === lane));
  const started = performance.now();
  let commands = 0;
  await Promise.all(
    perLane.map(async (laneUsers) => {
      for (let step = 0; step < COMMANDS_PER_STREAM; step++) {
        for (const userId of laneUsers) {
          if (step % 3 === 0) await deposit.execute({ userId, depositId: randomUUID(), amountCents: 5_000 });
          else await charge.execute({ userId, orderId: randomUUID(), amountCents: 1_000 + (step % 7) * 100 });
          commands++;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const [{ after }] = await dataSource.query(`SELECT count(*)::int AS after FROM events`);
  return { operations: after - before, commands, seconds };
}

async function benchReplay(dataSource) {
  const result = await replayProjections(dataSource, walletProjections(), { batchSize: 2_000 });
  return { operations: result.events, seconds: result.ms / 1000 };
}

const fmt = (n, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

const database = await scratchDatabase('bench_wallet');
let dataSource;
try {
  await runMigrations(paymentDatabase(database.url));
  dataSource = createDataSource({ ...paymentDatabase(database.url), poolSize: CONCURRENCY, statementTimeoutMs: 60_000 });
  await dataSource.initialize();

  console.log(
    `Wallet event store benchmark: ${CONCURRENCY} concurrent connections, ${STREAMS} streams x ${COMMANDS_PER_STREAM} commands, ` +
      `${BASE_INSERTS} base inserts (PostgreSQL ${(await dataSource.query('SHOW server_version'))[0].server_version}, Node ${process.version})`,
  );
  const base = await benchBase(database.url);
  const appends = await benchAppends(dataSource);
  const replay = await benchReplay(dataSource);

  const baseRate = base.operations / base.seconds;
  const rows = [
    ['base: single-row INSERT transactions', 'tx/s', base],
    ['append: deposits + charges via the event store', 'events/s', appends],
    ['replay: rebuild both projections', 'events/s', replay],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  console.log(`${'measure'.padEnd(width)}  ${'count'.padStart(7)}  ${'seconds'.padStart(7)}  ${'rate'.padStart(10)}  unit      vs base`);
  for (const [label, unit, figures] of rows) {
    const rate = figures.operations / figures.seconds;
    console.log(
      `${label.padEnd(width)}  ${String(figures.operations).padStart(7)}  ${figures.seconds.toFixed(2).padStart(7)}  ${fmt(rate).padStart(10)}  ${unit.padEnd(8)}  ${(rate / baseRate).toFixed(2)}x`,
    );
  }
  console.log(
    `append detail: ${appends.commands} commands (${fmt(appends.commands / appends.seconds)} commands/s), ` +
      `${fmt(appends.operations / appends.commands, 2)} events per command, average stream length ${fmt(appends.operations / STREAMS)} events`,
  );
} finally {
  await dataSource?.destroy();
  await database.drop();
}
