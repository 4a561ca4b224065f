import {
  type DynamicModule,
  Global,
  Injectable,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { HealthRegistry, LOGGER, type Logger } from '@shop/platform';
import { RabbitMqConnection } from './rabbitmq-connection';

@Injectable()
class RabbitMqLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly connection: RabbitMqConnection,
    private readonly health: HealthRegistry,
  ) {}

  onModuleInit(): void {
    this.connection.start();
    this.health.register('rabbitmq', async () => {
      const connection = this.connection.current();
      if (!connection) throw new Error('not connected');
      const channel = await connection.createChannel();
      await channel.close();
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.connection.close();
  }
}

@Global()
@Module({})
export class RabbitMqModule {
  static forRoot(options: { url: string }): DynamicModule {
    return {
      module: RabbitMqModule,
      providers: [
        {
          provide: RabbitMqConnection,
          inject: [LOGGER],
          useFactory: (logger: Logger) =>
            new RabbitMqConnection(options.url, (error) => logger.warn({ err: error }, 'rabbitmq connection problem')),
        },
        RabbitMqLifecycle,
      ],
      exports: [RabbitMqConnection],
    };
  }
}

