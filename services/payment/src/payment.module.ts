import { type DynamicModule, Module } from '@nestjs/common';
import { ChaosModule, DatabaseModule, PlatformModule, type Logger } from '@shop/platform';
import { InboxModule, KafkaConsumers, KafkaModule, OutboxModule } from '@shop/messaging';
import { DataSource } from 'typeorm';
import { PaymentGrpcController } from './api/grpc/payment.grpc-controller';
import { PaymentSagaConsumer } from './api/messaging/payment-saga.consumer';
import { UserRegisteredConsumer } from './api/messaging/user-registered.consumer';
import { ChargePaymentHandler } from './application/commands/charge-payment.command';
import { DepositFundsHandler } from './application/commands/deposit-funds.command';
import { OpenWalletHandler } from './application/commands/open-wallet.command';
import { RefundPaymentHandler } from './application/commands/refund-payment.command';
import { EVENT_STORE, type EventStore } from './application/ports/event-store.port';
import { ORDER_PAYMENTS, type OrderPayments } from './application/ports/order-payments.port';
import { WALLET_BALANCES, type WalletBalances } from './application/ports/wallet-balances.port';
import { WALLET_TRANSACTIONS, type WalletTransactions } from './application/ports/wallet-transactions.port';
import { GetBalanceHandler } from './application/queries/get-balance.query';
import { GetHistoryHandler } from './application/queries/get-history.query';
import { WalletStore } from './application/wallet-store';
import { type PaymentConfig } from './config/payment.config';
import { PaymentEventsPublisher } from './infrastructure/messaging/payment-events.publisher';
import { paymentDatabase } from './infrastructure/persistence/database';
import { PostgresOrderPayments } from './infrastructure/persistence/order-payments.repository';
import { PostgresEventStore } from './infrastructure/persistence/postgres-event-store';
import { PostgresWalletBalances } from './infrastructure/persistence/wallet-balances.repository';
import { PostgresWalletTransactions } from './infrastructure/persistence/wallet-transactions';
import { walletProjections } from './infrastructure/projections/wallet-projections';

/** Wiring only: which adapters the payment service is made of. */
@Module({})
export class PaymentModule {
  static register(config: PaymentConfig, logger: Logger): DynamicModule {
    const groupPrefix = config.PAYMENT_CONSUMER_GROUP_PREFIX;
    // One publisher for every append: the gRPC commands and the consumers' commands publish their facts alike.
    const outbox = new PaymentEventsPublisher();
    return {
      module: PaymentModule,
      imports: [
        PlatformModule.forRoot({ service: 'payment', logger }),
        ChaosModule.forRoot(config.CHAOS_ENABLED),
        DatabaseModule.forRoot(paymentDatabase(config.PAYMENT_DATABASE_URL)),
        KafkaModule.forRoot({ clientId: 'payment', brokers: config.KAFKA_BROKERS }),
        InboxModule.forRoot({ service: 'payment' }),
        // The relay publishes the outbox rows written by appends (payment.charged/declined/refunded.v1).
        OutboxModule.forRoot({ service: 'payment', kafka: true }),
      ],
      controllers: [PaymentGrpcController],
      providers: [
        { provide: EVENT_STORE, inject: [DataSource], useFactory: (db: DataSource) => new PostgresEventStore(db, walletProjections(), outbox) },
        { provide: ORDER_PAYMENTS, inject: [DataSource], useFactory: (db: DataSource) => new PostgresOrderPayments(db) },
        { provide: WALLET_BALANCES, inject: [DataSource], useFactory: (db: DataSource) => new PostgresWalletBalances(db) },
        { provide: WALLET_TRANSACTIONS, useFactory: () => new PostgresWalletTransactions(walletProjections(), outbox) },
        { provide: WalletStore, inject: [EVENT_STORE], useFactory: (events: EventStore) => new WalletStore(events) },
        { provide: OpenWalletHandler, inject: [WalletStore], useFactory: (wallets: WalletStore) => new OpenWalletHandler(wallets) },
        { provide: DepositFundsHandler, inject: [WalletStore], useFactory: (wallets: WalletStore) => new DepositFundsHandler(wallets) },
        {
          provide: ChargePaymentHandler,
          inject: [WalletStore, ORDER_PAYMENTS],
          useFactory: (wallets: WalletStore, orders: OrderPayments) => new ChargePaymentHandler(wallets, orders),
        },
        {
          provide: RefundPaymentHandler,
          inject: [WalletStore, ORDER_PAYMENTS],
          useFactory: (wallets: WalletStore, orders: OrderPayments) => new RefundPaymentHandler(wallets, orders),
        },
        {
          provide: GetBalanceHandler,
          inject: [WALLET_BALANCES, WalletStore],
          useFactory: (balances: WalletBalances, wallets: WalletStore) => new GetBalanceHandler(balances, wallets),
        },
        { provide: GetHistoryHandler, inject: [WalletStore], useFactory: (wallets: WalletStore) => new GetHistoryHandler(wallets) },
        {
          provide: UserRegisteredConsumer,
          inject: [KafkaConsumers, DataSource, WALLET_TRANSACTIONS],
          useFactory: (consumers: KafkaConsumers, db: DataSource, wallets: WalletTransactions) =>
            new UserRegisteredConsumer(consumers, db, wallets, groupPrefix),
        },
        {
          provide: PaymentSagaConsumer,
          inject: [KafkaConsumers, DataSource, WALLET_TRANSACTIONS],
          useFactory: (consumers: KafkaConsumers, db: DataSource, wallets: WalletTransactions) =>
            new PaymentSagaConsumer(consumers, db, wallets, groupPrefix),
        },
      ],
    };
  }
}
