import { randomUUID } from 'node:crypto';
import { type INestApplication } from '@nestjs/common';
import { CONSUMER_GROUPS, grpcServerOf, paymentV1, TOPICS } from '@shop/contracts';
import { createDataSource, createGrpcClient, createLogger, runMigrations, startService } from '@shop/platform';
import { createTestDatabase, freePort, kafkaBrokers, specKafka, startGroupsAtEnd } from '@shop/testing';
import { type DataSource } from 'typeorm';
import { ChargePaymentHandler } from '../src/application/commands/charge-payment.command';
import { DepositFundsHandler } from '../src/application/commands/deposit-funds.command';
import { OpenWalletHandler } from '../src/application/commands/open-wallet.command';
import { RefundPaymentHandler } from '../src/application/commands/refund-payment.command';
import { GetBalanceHandler } from '../src/application/queries/get-balance.query';
import { GetHistoryHandler } from '../src/application/queries/get-history.query';
import { WalletStore } from '../src/application/wallet-store';
import { paymentDatabase } from '../src/infrastructure/persistence/database';
import { PostgresOrderPayments } from '../src/infrastructure/persistence/order-payments.repository';
import { PostgresEventStore } from '../src/infrastructure/persistence/postgres-event-store';
import { PostgresWalletBalances } from '../src/infrastructure/persistence/wallet-balances.repository';
import { walletProjections } from '../src/infrastructure/projections/wallet-projections';
import { loadPaymentConfig } from '../src/config/payment.config';
import { PaymentModule } from '../src/payment.module';

/** The payment application over one connection pool, wired as payment.module.ts wires it. */
export interface PaymentStack {
  readonly dataSource: DataSource;
  readonly eventStore: PostgresEventStore;
  readonly wallets: WalletStore;
  readonly openWallet: OpenWalletHandler;
  readonly deposit: DepositFundsHandler;
  readonly charge: ChargePaymentHandler;
  readonly refund: RefundPaymentHandler;
  readonly balance: GetBalanceHandler;
  readonly history: GetHistoryHandler;
}

export async function openStack(url: string, poolSize = 10): Promise<PaymentStack> {
  const dataSource = createDataSource({ ...paymentDatabase(url), poolSize });
  await dataSource.initialize();
  const eventStore = new PostgresEventStore(dataSource, walletProjections());
  const wallets = new WalletStore(eventStore);
  const orders = new PostgresOrderPayments(dataSource);
  return {
    dataSource,
    eventStore,
    wallets,
    openWallet: new OpenWalletHandler(wallets),
    deposit: new DepositFundsHandler(wallets),
    charge: new ChargePaymentHandler(wallets, orders),
    refund: new RefundPaymentHandler(wallets, orders),
    balance: new GetBalanceHandler(new PostgresWalletBalances(dataSource), wallets),
    history: new GetHistoryHandler(wallets),
  };
}

/** A fresh, migrated payment database for one spec file. */
export async function migratedDatabase(prefix: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const database = await createTestDatabase(prefix);
  await runMigrations(paymentDatabase(database.url));
  return database;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** `wallet_balances` as the projection holds it, keyed by user id. */
export async function balancesRows(dataSource: DataSource): Promise<Map<string, { balance: number; version: number }>> {
  const rows: { user_id: string; balance_cents: string; version: number }[] = await dataSource.query(
    `SELECT user_id, balance_cents, version FROM wallet_balances`,
  );
  return new Map(rows.map((row) => [row.user_id, { balance: Number(row.balance_cents), version: row.version }]));
}

/** The payment app started in-process on free ports, with its generated gRPC client. */
export interface RunningPayment {
  readonly app: INestApplication;
  readonly client: paymentV1.PaymentServiceClient;
  readonly httpPort: number;
}

/**
 * Starts the payment app as main.ts does, against `databaseUrl` and the real Kafka. Its consumer groups are its own
 * (`groupPrefix`) and start at the end of the shared topics, so it neither steals nor replays another instance's
 * messages. `env` adds variables, e.g. CHAOS_ENABLED.
 */
export async function startPaymentApp(
  databaseUrl: string,
  options: { readonly groupPrefix?: string; readonly env?: Readonly<Record<string, string>> } = {},
): Promise<RunningPayment> {
  const groupPrefix = options.groupPrefix ?? `spec-${randomUUID()}.`;
  const kafka = await specKafka('payment-spec');
  await startGroupsAtEnd(kafka, [`${groupPrefix}${CONSUMER_GROUPS.paymentWallets}`], [TOPICS.users]);
  await startGroupsAtEnd(kafka, [`${groupPrefix}${CONSUMER_GROUPS.paymentSaga}`], [TOPICS.inventory, TOPICS.orders]);
  const [httpPort, grpcPort] = [await freePort(), await freePort()];
  const config = loadPaymentConfig({
    PAYMENT_HTTP_PORT: String(httpPort),
    PAYMENT_GRPC_PORT: String(grpcPort),
    PAYMENT_DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: (await kafkaBrokers()).join(','),
    PAYMENT_CONSUMER_GROUP_PREFIX: groupPrefix,
    LOG_LEVEL: 'silent',
    ...options.env,
  });
  const logger = createLogger('payment', config.LOG_LEVEL);
  const app = await startService({
    service: 'payment',
    logger,
    module: PaymentModule.register(config, logger),
    httpPort,
    host: '127.0.0.1',
    grpc: grpcServerOf('payment', `127.0.0.1:${grpcPort}`),
  });
  return { app, client: createGrpcClient(paymentV1.PaymentServiceClient, `127.0.0.1:${grpcPort}`), httpPort };
}
