import { Client } from 'pg';

/**
 * Integration tests reach real PostgreSQL, RabbitMQ and Kafka. Connection URLs come from the environment
 * (TEST_POSTGRES_URL, TEST_RABBITMQ_URL, TEST_KAFKA_BROKERS; `.ci/run` and `scripts/test.sh` set them).
 * Where one is missing and a Docker engine answers, a testcontainer is started for it; otherwise the test
 * fails with a message naming what to start. Nothing is ever skipped.
 */
export interface TestInfrastructure {
  readonly postgresUrl: string;
  readonly rabbitmqUrl: string;
  readonly kafkaBrokers: readonly string[];
}

type Resource = 'postgres' | 'rabbitmq' | 'kafka';

const HOW_TO_START: Record<Resource, string> = {
  postgres: 'set TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres) or start PostgreSQL on 127.0.0.1:5432',
  rabbitmq: 'set TEST_RABBITMQ_URL (e.g. amqp://guest:guest@127.0.0.1:5672) or start RabbitMQ: rabbitmq-server -detached',
  kafka: 'set TEST_KAFKA_BROKERS (e.g. 127.0.0.1:9092) after `npm run kafka:local`',
};

const started = new Map<Resource, Promise<string>>();

async function fromContainer(resource: Resource): Promise<string> {
  let testcontainers: typeof import('testcontainers');
  try {
    testcontainers = await import('testcontainers');
    await testcontainers.getContainerRuntimeClient();
  } catch {
    throw new Error(`No ${resource} for integration tests: ${HOW_TO_START[resource]} (no Docker engine answers for testcontainers).`);
  }
  const { GenericContainer, Wait } = testcontainers;
  switch (resource) {
    case 'postgres': {
      const c = await new GenericContainer('postgres:17-alpine')
        .withEnvironment({ POSTGRES_PASSWORD: 'postgres' })
        .withExposedPorts(5432)
        .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
        .start();
      return `postgres://postgres:postgres@${c.getHost()}:${c.getMappedPort(5432)}/postgres`;
    }
    case 'rabbitmq': {
      const c = await new GenericContainer('rabbitmq:4-alpine').withExposedPorts(5672).withWaitStrategy(Wait.forLogMessage(/Server startup complete/)).start();
      return `amqp://guest:guest@${c.getHost()}:${c.getMappedPort(5672)}`;
    }
    case 'kafka': {
      const c = await new GenericContainer('apache/kafka:4.1.1')
        .withExposedPorts({ container: 9092, host: 19092 })
        .withEnvironment({
          KAFKA_LISTENERS: 'PLAINTEXT://:9092,CONTROLLER://:9093',
          KAFKA_ADVERTISED_LISTENERS: 'PLAINTEXT://127.0.0.1:19092',
        })
        .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
        .start();
      return `${c.getHost()}:19092`;
    }
  }
}

function resolveResource(resource: Resource, fromEnv: string | undefined): Promise<string> {
  if (fromEnv) return Promise.resolve(fromEnv);
  let pending = started.get(resource);
  if (!pending) {
    pending = fromContainer(resource);
    started.set(resource, pending);
  }
  return pending;
}

export async function postgresUrl(): Promise<string> {
  return resolveResource('postgres', process.env.TEST_POSTGRES_URL);
}

export async function rabbitmqUrl(): Promise<string> {
  return resolveResource('rabbitmq', process.env.TEST_RABBITMQ_URL);
}

export async function kafkaBrokers(): Promise<string[]> {
  return (await resolveResource('kafka', process.env.TEST_KAFKA_BROKERS)).split(',');
}

/** A fresh, empty database for one test file; the returned `drop` removes it. */
export async function createTestDatabase(prefix: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const adminUrl = await postgresUrl();
  const name = `test_${prefix.replace(/\W/g, '_')}_${process.pid}_${Date.now().toString(36)}`.toLowerCase();
  const admin = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(`Cannot reach PostgreSQL at ${adminUrl}: ${(error as Error).message}. ${HOW_TO_START.postgres}`);
  }
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/** Polls until `probe` returns a value other than undefined, or fails after `timeoutMs` naming what it waited for. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}

/** A TCP port on 127.0.0.1 that was free a moment ago, for apps started inside a test. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
