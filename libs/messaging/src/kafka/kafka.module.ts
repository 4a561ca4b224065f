import { type DynamicModule, Global, Injectable, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Kafka, logLevel, type Admin, type logCreator } from 'kafkajs';
import { HealthRegistry, LOGGER, type Logger } from '@shop/platform';
import { KafkaConsumers } from './kafka-consumers';
import { armKafkajsTimersOnlyWhenNeeded } from './kafkajs-idle-timer';

export interface KafkaOptions {
  readonly clientId: string;
  readonly brokers: readonly string[];
  /** kafkajs's own warnings and errors go to this JSON logger; without one they are dropped. */
  readonly logger?: Logger;
}

function toLogger(logger: Logger | undefined): logCreator {
  return () =>
    ({ level, log }) => {
      if (!logger) return;
      const { message, ...extra } = log;
      if (level === logLevel.ERROR) logger.error({ kafkajs: extra }, message);
      else if (level === logLevel.WARN) logger.warn({ kafkajs: extra }, message);
    };
}

/**
 * kafkajs is kept behind libs/messaging (it is unmaintained since 2.2.4), so a swap touches one folder.
 * Every call has a bounded connection and request timeout, and kafkajs's idle 1 ms timer loop is switched off
 * (kafkajs-idle-timer.ts).
 */
export function createKafka(options: KafkaOptions): Kafka {
  process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
  armKafkajsTimersOnlyWhenNeeded();
  return new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
    logLevel: logLevel.WARN,
    logCreator: toLogger(options.logger),
    retry: { initialRetryTime: 200, retries: 5, maxRetryTime: 5_000 },
  });
}

@Injectable()
class KafkaReadiness implements OnModuleInit, OnApplicationShutdown {
  private admin: Admin | undefined;
  constructor(
    private readonly kafka: Kafka,
    private readonly health: HealthRegistry,
  ) {}

  onModuleInit(): void {
    this.health.register('kafka', async () => {
      this.admin ??= this.kafka.admin({ retry: { retries: 0 } });
      try {
        await this.admin.connect();
        const cluster = await this.admin.describeCluster();
        return { brokers: cluster.brokers.length };
      } catch (error) {
        await this.admin.disconnect().catch(() => undefined);
        this.admin = undefined;
        throw error;
      }
    });
  }

  async onApplicationShutdown(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    await admin?.disconnect().catch(() => undefined);
  }
}

@Global()
@Module({})
export class KafkaModule {
  static forRoot(options: KafkaOptions): DynamicModule {
    return {
      module: KafkaModule,
      providers: [
        { provide: Kafka, inject: [LOGGER], useFactory: (logger: Logger) => createKafka({ logger, ...options }) },
        KafkaReadiness,
        KafkaConsumers,
      ],
      exports: [Kafka, KafkaConsumers],
    };
  }
}
