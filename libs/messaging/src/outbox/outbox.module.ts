import {
  type BeforeApplicationShutdown,
  type DynamicModule,
  Global,
  Injectable,
  Module,
  type OnApplicationBootstrap,
  type OnModuleInit,
} from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { HealthRegistry, LOGGER, type Logger } from '@shop/platform';
import { KafkaPublisher } from '../kafka/kafka-publisher';
import { RabbitMqConnection } from '../rabbitmq/rabbitmq-connection';
import { RabbitMqPublisher } from '../rabbitmq/rabbitmq-publisher';
import { OutboxRelay } from './outbox-relay';

@Injectable()
class OutboxLifecycle implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    private readonly relay: OutboxRelay,
    private readonly health: HealthRegistry,
  ) {}

  onModuleInit(): void {
    // Reported, not gating: a backlog means a broker is slow or down, which the broker's own check already says.
    this.health.register('outbox', async () => ({ ...(await this.relay.backlog()), role: this.relay.role }));
  }

  onApplicationBootstrap(): void {
    this.relay.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.relay.stop();
  }
}

/** The outbox relay of one service, publishing to the brokers that service uses. */
@Global()
@Module({})
export class OutboxModule {
  static forRoot(options: { service: string; kafka?: boolean; rabbitmq?: boolean; pollIntervalMs?: number }): DynamicModule {
    return {
      module: OutboxModule,
      providers: [
        {
          provide: OutboxRelay,
          inject: [DataSource, LOGGER, { token: Kafka, optional: true }, { token: RabbitMqConnection, optional: true }],
          useFactory: (dataSource: DataSource, logger: Logger, kafka?: Kafka, rabbit?: RabbitMqConnection) =>
            new OutboxRelay(
              dataSource,
              {
                kafka: options.kafka && kafka ? new KafkaPublisher(kafka) : undefined,
                rabbitmq: options.rabbitmq && rabbit ? new RabbitMqPublisher(rabbit) : undefined,
              },
              logger,
              { service: options.service, pollIntervalMs: options.pollIntervalMs },
            ),
        },
        OutboxLifecycle,
      ],
      exports: [OutboxRelay],
    };
  }
}

