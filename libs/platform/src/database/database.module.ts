import {
  type DynamicModule,
  Global,

  Injectable,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { DataSource, type MigrationInterface, type EntitySchema } from 'typeorm';
import { HealthRegistry } from '../health/health-registry';

export interface DatabaseOptions {
  readonly url: string;
  readonly applicationName: string;
  readonly migrations: ReadonlyArray<new () => MigrationInterface>;
  // TypeORM's own type for entity targets.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  readonly entities?: ReadonlyArray<Function | EntitySchema>;
  readonly poolSize?: number;
  /** Upper bound for any one statement, so a stuck query cannot hold a request forever. */
  readonly statementTimeoutMs?: number;
}

/** One TypeORM DataSource per service, never `synchronize`: the schema comes only from migrations. */
export function createDataSource(options: DatabaseOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    entities: [...(options.entities ?? [])],
    migrations: [...options.migrations],
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    extra: {
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: 5_000,
      statement_timeout: options.statementTimeoutMs ?? 10_000,
      application_name: options.applicationName,
    },
  });
}

/** Runs pending migrations under a PostgreSQL advisory lock, so two replicas never migrate at once. */
export async function runMigrations(options: DatabaseOptions): Promise<string[]> {
  const dataSource = createDataSource({ ...options, poolSize: 2 });
  await dataSource.initialize();
  const lockRunner = dataSource.createQueryRunner();
  try {
    await lockRunner.query(`SELECT pg_advisory_lock(hashtext('shop.migrations'))`);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await lockRunner.query(`SELECT pg_advisory_unlock(hashtext('shop.migrations'))`).catch(() => undefined);
    await lockRunner.release();
    await dataSource.destroy();
  }
}

const DATABASE_OPTIONS = Symbol('DATABASE_OPTIONS');

@Injectable()
class DatabaseLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly dataSource: DataSource,
    private readonly health: HealthRegistry,
  ) {}

  onModuleInit(): void {
    this.health.register('database', async () => {
      await this.dataSource.query('SELECT 1');
    });
  }

  /** Runs after consumers and servers stopped (they stop in beforeApplicationShutdown), so no work loses its pool. */
  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

@Global()
@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseOptions): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        { provide: DATABASE_OPTIONS, useValue: options },
        {
          provide: DataSource,
          inject: [DATABASE_OPTIONS],
          useFactory: async (opts: DatabaseOptions) => {
            const dataSource = createDataSource(opts);
            // Start even when the database is down: readiness reports it, and the pool connects once it is back.
            await dataSource.initialize().catch(() => undefined);
            return dataSource.isInitialized ? dataSource : lazyDataSource(dataSource);
          },
        },
        DatabaseLifecycle,
      ],
      exports: [DataSource],
    };
  }
}

function lazyDataSource(dataSource: DataSource): DataSource {
  void retryInitialize(dataSource);
  return dataSource;
}

async function retryInitialize(dataSource: DataSource): Promise<void> {
  while (!dataSource.isInitialized) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await dataSource.initialize().catch(() => undefined);
  }
}

