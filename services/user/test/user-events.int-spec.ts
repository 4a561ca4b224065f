import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { type INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import { grpcServerOf, TOPICS, USER_REGISTERED_V1, type UserRegisteredV1Data } from '@shop/contracts';
import { createLogger, runMigrations, startService } from '@shop/platform';
import { createTestDatabase, eventually, freePort, kafkaBrokers } from '@shop/testing';
import { type Kafka } from 'kafkajs';
import { loadUserConfig } from '../src/config/user.config';
import { userDatabase } from '../src/infrastructure/persistence/database';
import { UserModule } from '../src/user.module';
import { specKafka, TopicRecorder } from '@shop/testing';

/**
 * Publish-subscribe, producer side: a registration writes `user.registered.v1` to the outbox in its own
 * transaction and the relay publishes it to the real users.events.v1 topic. The real app runs in-process
 * against a fresh database; the events are read back from the real broker, filtered by this spec's user ids.
 */
describe('user service events', () => {
  let database: { url: string; drop: () => Promise<void> };
  let app: INestApplication;
  let baseUrl: string;
  let sql: Client;
  let kafka: Kafka;
  let recorder: TopicRecorder;

  beforeAll(async () => {
    database = await createTestDatabase('user_events');
    await runMigrations(userDatabase(database.url));
    kafka = await specKafka('user-events-spec');
    recorder = await TopicRecorder.start(kafka, [TOPICS.users]);
    const [httpPort, grpcPort] = [await freePort(), await freePort()];
    const { privateKey } = generateKeyPairSync('ed25519', {
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const config = loadUserConfig({
      USER_HTTP_PORT: String(httpPort),
      USER_GRPC_PORT: String(grpcPort),
      USER_DATABASE_URL: database.url,
      KAFKA_BROKERS: (await kafkaBrokers()).join(','),
      USER_JWT_PRIVATE_KEY: privateKey,
      JWT_ISSUER: 'shop-user-test',
      JWT_AUDIENCE: 'shop-api-test',
      LOG_LEVEL: 'silent',
    });
    const logger = createLogger('user', config.LOG_LEVEL);
    app = await startService({
      service: 'user',
      logger,
      module: UserModule.register(config, logger),
      httpPort,
      host: '127.0.0.1',
      grpc: grpcServerOf('user', `127.0.0.1:${grpcPort}`),
    });
    baseUrl = `http://127.0.0.1:${httpPort}`;
    sql = new Client({ connectionString: database.url });
    await sql.connect();
  });

  afterAll(async () => {
    await recorder?.stop();
    await sql?.end();
    await app?.close();
    await database?.drop();
  });

  const register = async (body: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
    const response = await fetch(`${baseUrl}/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const outboxRows = async (): Promise<number> => (await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox')).rows[0].n;
  const uniqueEmail = (): string => `user-${randomUUID()}@example.com`;

  it('publishes user.registered.v1 with id, email and name on users.events.v1, keyed by the user id', async () => {
    const email = uniqueEmail();
    const registered = await register({ email: email.toUpperCase(), password: 'kate-password', name: ' Kate ' });
    expect(registered.status).toBe(201);
    const userId = String(registered.body.id);

    const [message] = await recorder.waitFor<UserRegisteredV1Data>(USER_REGISTERED_V1, (data) => data.userId === userId);

    expect(message.topic).toBe(TOPICS.users);
    expect(message.key).toBe(userId);
    expect(message.envelope).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      type: USER_REGISTERED_V1,
      version: 1,
      occurredAt: expect.any(String),
      correlationId: userId,
      causationId: null,
      data: { userId, email, name: 'Kate' },
    });
  });

  it('marks the outbox row sent once the broker has the event', async () => {
    const registered = await register({ email: uniqueEmail(), password: 'liam-password', name: 'Liam' });
    const userId = String(registered.body.id);
    await recorder.waitFor<UserRegisteredV1Data>(USER_REGISTERED_V1, (data) => data.userId === userId);

    const sent = await eventually('the outbox row marked sent', async () => {
      const rows = await sql.query<{ sent: boolean }>(`SELECT sent_at IS NOT NULL AS sent FROM outbox WHERE message_key = $1`, [userId]);
      return rows.rows.length === 1 && rows.rows[0].sent ? rows.rows : undefined;
    });
    expect(sent).toEqual([{ sent: true }]);
  });

  it('writes no event for a registration refused as a duplicate email or as invalid input', async () => {
    const email = uniqueEmail();
    const first = await register({ email, password: 'mia-password', name: 'Mia' });
    expect(first.status).toBe(201);
    const before = await outboxRows();

    expect((await register({ email, password: 'other-password', name: 'Mia Again' })).status).toBe(409);
    expect((await register({ email: uniqueEmail(), password: 'short', name: 'Mia' })).status).toBe(400);

    expect(await outboxRows()).toBe(before);
    await recorder.waitFor<UserRegisteredV1Data>(USER_REGISTERED_V1, (data) => data.userId === first.body.id);
    expect(recorder.find<UserRegisteredV1Data>(USER_REGISTERED_V1, (data) => data.email === email)).toHaveLength(1);
  });

  it('reports the outbox and Kafka in its readiness', async () => {
    const response = await fetch(`${baseUrl}/health/ready`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ready', checks: { kafka: { status: 'up' }, outbox: { status: 'up' } } });
  });
});
