import { createPublicKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import { type INestApplication } from '@nestjs/common';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { Client } from 'pg';
import { grpcServerOf, userV1 } from '@shop/contracts';
import { callUnary, createGrpcClient, createLogger, runMigrations, startService } from '@shop/platform';
import { createTestDatabase, freePort, kafkaBrokers } from '@shop/testing';
import { loadUserConfig } from '../src/config/user.config';
import { userDatabase } from '../src/infrastructure/persistence/database';
import { UserModule } from '../src/user.module';

/**
 * The user service as the gateway and other services see it: the real app in-process, over real HTTP
 * and real gRPC, against a fresh PostgreSQL database with every migration applied.
 */
describe('user service', () => {
  // An ephemeral key pair: the private half reaches the app as configuration (a PEM), the public half verifies.
  const { privateKey, publicKey: publicKeyPem } = generateKeyPairSync('ed25519', {
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const publicKey = createPublicKey(publicKeyPem);
  const issuer = 'shop-user-test';
  const audience = 'shop-api-test';
  let database: { url: string; drop: () => Promise<void> };
  let app: INestApplication;
  let baseUrl: string;
  let grpc: userV1.UserServiceClient;
  let sql: Client;

  beforeAll(async () => {
    database = await createTestDatabase('user_service');
    await runMigrations(userDatabase(database.url));
    const [httpPort, grpcPort] = [await freePort(), await freePort()];
    const config = loadUserConfig({
      USER_HTTP_PORT: String(httpPort),
      USER_GRPC_PORT: String(grpcPort),
      USER_DATABASE_URL: database.url,
      KAFKA_BROKERS: (await kafkaBrokers()).join(','),
      USER_JWT_PRIVATE_KEY: privateKey,
      JWT_ISSUER: issuer,
      JWT_AUDIENCE: audience,
      USER_JWT_TTL_SECONDS: '600',
      LOG_LEVEL: 'silent',
    });
    const logger = createLogger('user', config.LOG_LEVEL);
    app = await startService({
      service: 'user',
      logger,
      module: UserModule.register(config, logger),
      httpPort: config.USER_HTTP_PORT,
      host: '127.0.0.1',
      grpc: grpcServerOf('user', `127.0.0.1:${config.USER_GRPC_PORT}`),
    });
    baseUrl = `http://127.0.0.1:${httpPort}`;
    grpc = createGrpcClient(userV1.UserServiceClient, `127.0.0.1:${grpcPort}`);
    sql = new Client({ connectionString: database.url });
    await sql.connect();
  });

  afterAll(async () => {
    grpc?.close();
    await sql?.end();
    await app?.close();
    await database?.drop();
  });

  const post = async (path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
    const response = await fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': randomUUID() },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  const get = async (path: string): Promise<{ status: number; body: Record<string, unknown> }> => {
    const response = await fetch(`${baseUrl}${path}`, { signal: AbortSignal.timeout(10_000) });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  const usersWithEmail = async (email: string): Promise<number> =>
    (await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM users WHERE lower(email) = lower($1)', [email])).rows[0].n;

  const userCount = async (): Promise<number> => (await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM users')).rows[0].n;

  const getUserOverGrpc = (userId: string): Promise<userV1.GetUserResponse> =>
    callUnary('user', grpc, grpc.getUser, { userId }, { deadlineMs: 5_000 });

  describe('registration', () => {
    it('registers a user with a normalised email and answers 201 with id, email and name', async () => {
      const response = await post('/users', { email: '  Dana@Example.COM ', password: 'dana-password', name: '  Dana  ' });

      expect(response.status).toBe(201);
      expect(response.body).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), email: 'dana@example.com', name: 'Dana' });
      const row = await sql.query('SELECT email, name, password_hash FROM users WHERE id = $1', [response.body.id]);
      expect(row.rows[0].email).toBe('dana@example.com');
      expect(row.rows[0].password_hash).toMatch(/^\$argon2id\$/);
      expect(row.rows[0].password_hash).not.toContain('dana-password');
    });

    it('answers 409 USER.EMAIL_TAKEN for an email already registered in another letter case', async () => {
      await post('/users', { email: 'erin@example.com', password: 'erin-password', name: 'Erin' });

      const again = await post('/users', { email: 'ERIN@Example.com', password: 'other-password', name: 'Erin Again' });

      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({ statusCode: 409, error: 'Conflict', code: 'USER.EMAIL_TAKEN' });
      expect(await usersWithEmail('erin@example.com')).toBe(1);
    });

    it('lets exactly one of several concurrent registrations of one email win; the others get 409', async () => {
      const emails = ['frank@example.com', 'FRANK@example.com', 'Frank@Example.com', 'frank@EXAMPLE.COM', ' frank@example.com'];

      const responses = await Promise.all(emails.map((email, i) => post('/users', { email, password: `frank-password-${i}`, name: `Frank ${i}` })));

      expect(responses.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
      expect(responses.filter((r) => r.status === 409).every((r) => r.body.code === 'USER.EMAIL_TAKEN')).toBe(true);
      expect(await usersWithEmail('frank@example.com')).toBe(1);
    });

    it.each([
      ['an invalid email', { email: 'gina-at-example.com', password: 'gina-password', name: 'Gina' }, /email/],
      ['a password of 7 characters', { email: 'gina@example.com', password: 'x'.repeat(7), name: 'Gina' }, /password/],
      ['a password of 129 characters', { email: 'gina@example.com', password: 'x'.repeat(129), name: 'Gina' }, /password/],
      ['a blank name', { email: 'gina@example.com', password: 'gina-password', name: '   ' }, /name/],
      ['a name of 101 characters', { email: 'gina@example.com', password: 'gina-password', name: 'n'.repeat(101) }, /name/],
      ['a missing password', { email: 'gina@example.com', name: 'Gina' }, /password/],
      ['a number for a name', { email: 'gina@example.com', password: 'gina-password', name: 42 }, /name/],
      ['an unknown field', { email: 'gina@example.com', password: 'gina-password', name: 'Gina', role: 'admin' }, /role/],
      ['an array instead of an object', [{ email: 'gina@example.com', password: 'gina-password', name: 'Gina' }], /object/],
    ])('answers 400 for %s and writes nothing', async (_case, body, mentions) => {
      const before = await userCount();

      const response = await post('/users', body);

      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request', code: 'REQUEST.INVALID' });
      expect(String(response.body.message)).toMatch(mentions);
      expect(await usersWithEmail('gina@example.com')).toBe(0);
      expect(await userCount()).toBe(before);
    });

    it('answers 400 for a body that is not JSON', async () => {
      const response = await fetch(`${baseUrl}/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email":' });
      expect(response.status).toBe(400);
    });
  });

  describe('login', () => {
    beforeAll(async () => {
      const registered = await post('/users', { email: 'hank@example.com', password: 'hank-password', name: 'Hank' });
      expect(registered.status).toBe(201);
    });

    it('answers 200 with a bearer token that verifies with the public key, issuer and audience', async () => {
      const response = await post('/sessions', { email: 'Hank@Example.com', password: 'hank-password' });

      expect(response.status).toBe(200);
      expect(response.body).toEqual({ accessToken: expect.any(String), tokenType: 'Bearer', expiresIn: 600 });
      const token = String(response.body.accessToken);
      expect(decodeProtectedHeader(token).alg).toBe('EdDSA');
      const { payload } = await jwtVerify(token, publicKey, { algorithms: ['EdDSA'], issuer, audience });
      const hank = await sql.query('SELECT id FROM users WHERE email = $1', ['hank@example.com']);
      expect(payload.sub).toBe(hank.rows[0].id);
      expect(typeof payload.jti).toBe('string');
      expect(payload.exp).toBe((payload.iat ?? 0) + 600);
      expect(payload.exp).toBeGreaterThan(Date.now() / 1000);
    });

    it('answers 401 for a wrong password', async () => {
      const response = await post('/sessions', { email: 'hank@example.com', password: 'wrong-password' });
      expect(response.status).toBe(401);
      expect(response.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'Invalid email or password', code: 'USER.INVALID_CREDENTIALS' });
    });

    it('answers 401 for an unknown email with exactly the same body as for a wrong password', async () => {
      const wrongPassword = await post('/sessions', { email: 'hank@example.com', password: 'wrong-password' });
      const unknownEmail = await post('/sessions', { email: 'nobody@example.com', password: 'hank-password' });

      expect(unknownEmail.status).toBe(401);
      expect(unknownEmail.body).toEqual(wrongPassword.body);
    });

    it('answers 400 for an unknown field in the login body', async () => {
      const response = await post('/sessions', { email: 'hank@example.com', password: 'hank-password', remember: true });
      expect(response.status).toBe(400);
      expect(String(response.body.message)).toMatch(/remember/);
    });
  });

  describe('profile', () => {
    let dana: { id: string; createdAt: string };

    beforeAll(async () => {
      const registered = await post('/users', { email: 'ivy@example.com', password: 'ivy-password', name: 'Ivy' });
      const row = await sql.query<{ created_at: Date }>('SELECT created_at FROM users WHERE id = $1', [registered.body.id]);
      dana = { id: String(registered.body.id), createdAt: row.rows[0].created_at.toISOString() };
    });

    it('answers GET /users/:id with 200 and the profile, never the password hash', async () => {
      const response = await get(`/users/${dana.id}`);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ id: dana.id, email: 'ivy@example.com', name: 'Ivy', createdAt: dana.createdAt });
    });

    it('answers 404 USER.NOT_FOUND for an unknown id', async () => {
      const response = await get(`/users/${randomUUID()}`);
      expect(response.status).toBe(404);
      expect(response.body).toMatchObject({ statusCode: 404, code: 'USER.NOT_FOUND' });
    });

    it('answers 400 for an id that is not a UUID', async () => {
      const response = await get('/users/not-a-uuid');
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ statusCode: 400, code: 'REQUEST.INVALID' });
    });

    it('serves the same profile over gRPC GetUser', async () => {
      await expect(getUserOverGrpc(dana.id)).resolves.toEqual({ id: dana.id, email: 'ivy@example.com', name: 'Ivy', createdAt: dana.createdAt });
    });

    it('answers gRPC GetUser for an unknown id with NOT_FOUND', async () => {
      await expect(getUserOverGrpc(randomUUID())).rejects.toMatchObject({ grpcCode: 5, category: 'not_found' });
    });

    it('answers gRPC GetUser for an id that is not a UUID with INVALID_ARGUMENT', async () => {
      await expect(getUserOverGrpc('not-a-uuid')).rejects.toMatchObject({ grpcCode: 3, category: 'invalid' });
    });
  });

  describe('demo users', () => {
    it.each([
      ['a11ce000-0000-4000-8000-000000000001', 'alice@example.com', 'Alice Demo', 'alice-password'],
      ['b0b00000-0000-4000-8000-000000000002', 'bob@example.com', 'Bob Demo', 'bob-password'],
    ])('has %s (%s) seeded, able to log in', async (id, email, name, password) => {
      await expect(getUserOverGrpc(id)).resolves.toMatchObject({ id, email, name });

      const session = await post('/sessions', { email, password });
      expect(session.status).toBe(200);
      const { payload } = await jwtVerify(String(session.body.accessToken), publicKey, { algorithms: ['EdDSA'], issuer, audience });
      expect(payload.sub).toBe(id);
    });

    it('leaves the demo users alone when the seed migration runs again', async () => {
      const before = await sql.query('SELECT id, password_hash FROM users WHERE id IN ($1, $2) ORDER BY id', [
        'a11ce000-0000-4000-8000-000000000001',
        'b0b00000-0000-4000-8000-000000000002',
      ]);
      await sql.query(`DELETE FROM schema_migrations WHERE name = 'DemoUsers1764290000000'`);

      expect(await runMigrations(userDatabase(database.url))).toEqual(['DemoUsers1764290000000']);

      const after = await sql.query('SELECT id, password_hash FROM users WHERE id IN ($1, $2) ORDER BY id', [
        'a11ce000-0000-4000-8000-000000000001',
        'b0b00000-0000-4000-8000-000000000002',
      ]);
      expect(after.rows).toEqual(before.rows);
    });
  });

  it('reports ready, the database and Kafka answering', async () => {
    const response = await get('/health/ready');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'ready', checks: { database: { status: 'up' }, kafka: { status: 'up' } } });
  });
});
