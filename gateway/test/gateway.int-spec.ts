import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { type INestApplication } from '@nestjs/common';
import { Metadata, Server, ServerCredentials, status as GrpcCode, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import Fastify, { type FastifyInstance } from 'fastify';
import { importPKCS8, SignJWT } from 'jose';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import pino from 'pino';
import { orderV1, paymentV1, recommendationV1, userV1 } from '@shop/contracts';
import { eventually, freePort, kafkaBrokers } from '@shop/testing';
import { loadGatewayConfig } from '../src/config/gateway.config';
import { startGateway } from '../src/gateway.app';
import { depositIdFor } from '../src/routes/wallet.routes';
import { PRODUCT_VIEWED_TYPE, USER_ACTIVITY_TOPIC } from '../src/clients/product-view.publisher';

/**
 * The gateway in-process on a free port, with its upstreams played by small real servers started here:
 * Fastify apps for the REST services and grpc-js servers with the generated service definitions for the
 * gRPC ones, plus the real Kafka broker for product views. Everything is driven over real HTTP.
 */

const ISSUER = 'shop-user';
const AUDIENCE = 'shop-api';
const PER_USER_LIMIT = 20;
const PER_IP_LIMIT = 30;
const BODY_LIMIT = 2_048;
const UPSTREAM_TIMEOUT_MS = 1_000;
const DASHBOARD_DEADLINE_MS = 800;
const DASHBOARD_PART_MS = 500;
const BREAKER_THRESHOLD = 5;

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: unknown;
}

interface HttpUpstream {
  readonly app: FastifyInstance;
  readonly url: string;
  readonly seen: Seen[];
}

async function startHttpUpstream(routes: (app: FastifyInstance) => void): Promise<HttpUpstream> {
  const app = Fastify({ forceCloseConnections: true });
  const seen: Seen[] = [];
  app.addHook('preHandler', async (request) => {
    seen.push({ method: request.method, url: request.url, headers: { ...request.headers }, body: request.body });
  });
  routes(app);
  const port = await freePort();
  await app.listen({ port, host: '127.0.0.1' });
  return { app, url: `http://127.0.0.1:${port}`, seen };
}

async function startGrpcUpstream(register: (server: Server) => void): Promise<{ server: Server; address: string }> {
  const server = new Server();
  register(server);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return { server, address: `127.0.0.1:${port}` };
}

interface GrpcSeen {
  readonly method: string;
  readonly request: unknown;
  readonly requestId: string | undefined;
}

/** A unary handler that records the call (with its x-request-id metadata) and answers what `answer` gives. */
function handler<Req, Res>(
  seen: GrpcSeen[],
  method: string,
  answer: (request: Req) => Promise<Res> | Res,
): (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => void {
  return (call, callback) => {
    seen.push({ method, request: call.request, requestId: call.metadata.get('x-request-id')[0]?.toString() });
    Promise.resolve()
      .then(() => answer(call.request))
      .then(
        (response) => callback(null, response),
        (error: { code?: number; details?: string }) => callback({ code: error.code ?? GrpcCode.INTERNAL, details: error.details ?? 'failed', metadata: new Metadata() }),
      );
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('gateway (component)', () => {
  const keys = generateKeyPairSync('ed25519', {
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const otherKeys = generateKeyPairSync('ed25519', { privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const products = [randomUUID(), randomUUID(), randomUUID()].map((id, i) => ({ id, sku: `SKU-${i}`, name: `Product ${i}`, priceCents: 1000 + i, available: 10 }));
  const hangingOrderId = randomUUID();
  const failingOrderId = randomUUID();
  const logLines: string[] = [];
  const tokensUsed = new Set<string>();
  const grpcSeen: GrpcSeen[] = [];
  let recommendationMode: 'co-purchase' | 'popular' | 'unavailable' | 'hang' = 'co-purchase';
  let listOrdersDelayMs = 0;
  let historyFailure: { code: number; details: string } | undefined;
  const popularItems = [{ productId: randomUUID(), score: 42 }];

  let user: HttpUpstream;
  let inventory: HttpUpstream;
  let order: HttpUpstream;
  const grpcServers: Server[] = [];
  let paymentServer: Server;
  let paymentAddress: string;
  let gateway: INestApplication;
  let baseUrl: string;
  let consumer: Consumer | undefined;

  async function tokenFor(userId: string, options: { privateKeyPem?: string; audience?: string; issuer?: string; expiresAt?: number } = {}): Promise<string> {
    const key = await importPKCS8(options.privateKeyPem ?? keys.privateKey, 'EdDSA');
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT' })
      .setSubject(userId)
      .setIssuer(options.issuer ?? ISSUER)
      .setAudience(options.audience ?? AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(options.expiresAt ?? '1h')
      .sign(key);
    tokensUsed.add(token);
    return token;
  }

  interface Answer {
    readonly status: number;
    readonly headers: Headers;
    readonly body: unknown;
    readonly ms: number;
  }

  /** One request to the gateway; each call comes from its own client IP unless `ip` is given (the gateway trusts X-Forwarded-For here). */
  async function api(
    method: string,
    path: string,
    options: { token?: string; headers?: Record<string, string>; json?: unknown; raw?: string; ip?: string } = {},
  ): Promise<Answer> {
    const headers: Record<string, string> = { 'x-forwarded-for': options.ip ?? `10.${rand()}.${rand()}.${rand()}`, ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.json !== undefined || options.raw !== undefined) {
      headers['content-type'] = 'application/json';
      body = options.raw ?? JSON.stringify(options.json);
    }
    const started = performance.now();
    const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, headers: response.headers, body: parsed, ms: performance.now() - started };
  }
  const rand = (): number => Math.floor(Math.random() * 250) + 1;

  beforeAll(async () => {
    user = await startHttpUpstream((app) => {
      app.post('/users', async (request, reply) => {
        const body = request.body as { email: string; name: string };
        if (body.email === 'taken@example.com') {
          return reply.code(409).send({ statusCode: 409, error: 'Conflict', message: 'Email already registered', code: 'USER.EMAIL_TAKEN' });
        }
        return reply.code(201).send({ id: randomUUID(), email: body.email, name: body.name });
      });
      app.post('/sessions', async (request, reply) => {
        const body = request.body as { password: string };
        if (body.password !== 'right password') return reply.code(401).send({ statusCode: 401, error: 'Unauthorized', message: 'Wrong email or password' });
        return { accessToken: 'issued.by.user', tokenType: 'Bearer', expiresIn: 3600 };
      });
      app.get('/users/:id', async (request) => ({ id: (request.params as { id: string }).id, email: 'ann@example.com', name: 'Ann', createdAt: '2026-11-01T00:00:00.000Z' }));
    });
    inventory = await startHttpUpstream((app) => {
      app.get('/products', async () => products);
      app.get('/products/:id', async (request, reply) => {
        const product = products.find((p) => p.id === (request.params as { id: string }).id);
        return product ?? reply.code(404).send({ statusCode: 404, error: 'Not Found', message: 'Product not found' });
      });
    });
    order = await startHttpUpstream((app) => {
      app.post('/orders', async (_request, reply) => reply.code(202).send({ id: randomUUID(), status: 'PENDING' }));
      app.get('/orders', async () => []);
      app.get('/orders/:id', async (request, reply) => {
        const { id } = request.params as { id: string };
        if (id === hangingOrderId) await sleep(UPSTREAM_TIMEOUT_MS + 500);
        if (id === failingOrderId) return reply.code(500).send('stack trace of an upstream bug');
        return reply.code(404).type('text/plain').send('no such order');
      });
    });

    const userGrpc = await startGrpcUpstream((server) =>
      server.addService(userV1.UserServiceService, {
        getUser: handler<userV1.GetUserRequest, userV1.GetUserResponse>(grpcSeen, 'GetUser', (request) => ({
          id: request.userId,
          email: 'ann@example.com',
          name: 'Ann',
          createdAt: '2026-11-01T00:00:00.000Z',
        })),
      }),
    );
    const orderGrpc = await startGrpcUpstream((server) =>
      server.addService(orderV1.OrderServiceService, {
        listOrders: handler<orderV1.ListOrdersRequest, orderV1.ListOrdersResponse>(grpcSeen, 'ListOrders', async () => {
          if (listOrdersDelayMs > 0) await sleep(listOrdersDelayMs);
          return { orders: [{ id: randomUUID(), status: 'CONFIRMED', totalCents: 2500, createdAt: '2026-11-02T00:00:00.000Z' }] };
        }),
      }),
    );
    const paymentGrpc = await startGrpcUpstream((server) =>
      server.addService(paymentV1.PaymentServiceService, {
        openWallet: handler<paymentV1.OpenWalletRequest, paymentV1.OpenWalletResponse>(grpcSeen, 'OpenWallet', (r) => ({ userId: r.userId, balanceCents: 0 })),
        deposit: handler<paymentV1.DepositRequest, paymentV1.DepositResponse>(grpcSeen, 'Deposit', (r) => ({ balanceCents: r.amountCents })),
        charge: handler<paymentV1.ChargeRequest, paymentV1.ChargeResponse>(grpcSeen, 'Charge', () => Promise.reject({ code: GrpcCode.UNIMPLEMENTED })),
        refund: handler<paymentV1.RefundRequest, paymentV1.RefundResponse>(grpcSeen, 'Refund', () => Promise.reject({ code: GrpcCode.UNIMPLEMENTED })),
        getBalance: handler<paymentV1.GetBalanceRequest, paymentV1.GetBalanceResponse>(grpcSeen, 'GetBalance', (r) => ({
          balanceCents: 7_000,
          asOf: r.at || '2026-11-27T12:00:00.000Z',
        })),
        getHistory: handler<paymentV1.GetHistoryRequest, paymentV1.GetHistoryResponse>(grpcSeen, 'GetHistory', (r) => {
          if (historyFailure) throw historyFailure;
          // Two events; a page of one after version 0 leaves one more.
          const events = [
            { version: 2, type: 'wallet.deposited.v1', occurredAt: '2026-11-27T10:05:00.000Z', dataJson: '{"amountCents":7000}' },
            { version: 1, type: 'wallet.opened.v1', occurredAt: '2026-11-27T10:00:00.000Z', dataJson: '{}' },
          ].filter((event) => event.version > r.afterVersion);
          return r.limit === 1 ? { events: events.filter((event) => event.version === r.afterVersion + 1), more: r.afterVersion + 1 < 2 } : { events, more: false };
        }),
      }),
    );
    const recommendationGrpc = await startGrpcUpstream((server) =>
      server.addService(recommendationV1.RecommendationServiceService, {
        getRecommendations: handler<recommendationV1.GetRecommendationsRequest, recommendationV1.GetRecommendationsResponse>(
          grpcSeen,
          'GetRecommendations',
          async () => {
            if (recommendationMode === 'unavailable') throw { code: GrpcCode.UNAVAILABLE, details: 'model not loaded' };
            if (recommendationMode === 'hang') await sleep(3_000);
            return recommendationMode === 'popular'
              ? { items: popularItems, strategy: 'popular' }
              : { items: [{ productId: products[2].id, score: 0.8 }], strategy: 'co-purchase' };
          },
        ),
      }),
    );
    grpcServers.push(userGrpc.server, orderGrpc.server, paymentGrpc.server, recommendationGrpc.server);
    paymentServer = paymentGrpc.server;
    paymentAddress = paymentGrpc.address;

    const brokers = await kafkaBrokers();
    const admin = new Kafka({ clientId: 'gateway-spec', brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: USER_ACTIVITY_TOPIC, numPartitions: 3 }], waitForLeaders: true });
    await admin.disconnect();

    const port = await freePort();
    const config = loadGatewayConfig({
      GATEWAY_HTTP_PORT: String(port),
      USER_HTTP_URL: user.url,
      ORDER_HTTP_URL: order.url,
      INVENTORY_HTTP_URL: inventory.url,
      USER_GRPC_ADDRESS: userGrpc.address,
      ORDER_GRPC_ADDRESS: orderGrpc.address,
      PAYMENT_GRPC_ADDRESS: paymentGrpc.address,
      RECOMMENDATION_GRPC_ADDRESS: recommendationGrpc.address,
      KAFKA_BROKERS: brokers.join(','),
      GATEWAY_JWT_PUBLIC_KEY: keys.publicKey,
      JWT_ISSUER: ISSUER,
      JWT_AUDIENCE: AUDIENCE,
      GATEWAY_RATE_LIMIT_PER_USER: String(PER_USER_LIMIT),
      GATEWAY_RATE_LIMIT_PER_IP: String(PER_IP_LIMIT),
      GATEWAY_TRUST_PROXY: 'true',
      GATEWAY_BODY_LIMIT_BYTES: String(BODY_LIMIT),
      GATEWAY_UPSTREAM_TIMEOUT_MS: String(UPSTREAM_TIMEOUT_MS),
      GATEWAY_DASHBOARD_DEADLINE_MS: String(DASHBOARD_DEADLINE_MS),
      GATEWAY_DASHBOARD_PART_TIMEOUT_MS: String(DASHBOARD_PART_MS),
      GATEWAY_BREAKER_THRESHOLD: String(BREAKER_THRESHOLD),
      GATEWAY_BREAKER_HALF_OPEN_AFTER_MS: '5000',
    });
    // No redaction here: the test checks that the gateway itself never hands a token to its logger.
    const logger = pino({ level: 'info', base: { service: 'gateway' } }, { write: (line: string) => void logLines.push(line) });
    gateway = await startGateway(config, logger, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await consumer?.disconnect();
    await gateway?.close();
    await Promise.all([user, inventory, order].map((upstream) => upstream?.app.close()));
    for (const server of grpcServers) server.forceShutdown();
  });

  const lastSeen = (upstream: HttpUpstream): Seen | undefined => upstream.seen[upstream.seen.length - 1];

  describe('routing and identity', () => {
    it("forwards /api/me to the user service for the token's subject only, ignoring a client-sent x-user-id", async () => {
      const ann = randomUUID();
      const answer = await api('GET', '/api/me', { token: await tokenFor(ann), headers: { 'x-user-id': randomUUID() } });
      expect(answer).toMatchObject({ status: 200, body: { id: ann, name: 'Ann' } });
      expect(lastSeen(user)).toMatchObject({ method: 'GET', url: `/users/${ann}` });
      expect(lastSeen(user)?.headers['x-user-id']).toBe(ann);
      expect(lastSeen(user)?.headers.authorization).toBeUndefined();
    });

    it("places an order with x-user-id from the token (never the client's), the Idempotency-Key and the request id", async () => {
      const ann = randomUUID();
      const items = [{ productId: products[0].id, quantity: 2 }];
      const answer = await api('POST', '/api/orders', {
        token: await tokenFor(ann),
        headers: { 'x-user-id': randomUUID(), 'idempotency-key': 'order-key-1', 'x-request-id': 'client-request-1' },
        json: { items, saga: 'choreography' },
      });
      expect(answer).toMatchObject({ status: 202, body: { status: 'PENDING' } });
      expect(answer.headers.get('x-request-id')).toBe('client-request-1');
      expect(lastSeen(order)).toMatchObject({
        method: 'POST',
        url: '/orders',
        body: { items, saga: 'choreography' },
        headers: { 'x-user-id': ann, 'idempotency-key': 'order-key-1', 'x-request-id': 'client-request-1' },
      });
    });

    it('generates a request id when the client sent none (or an unusable one) and passes it to the upstream', async () => {
      const answer = await api('GET', '/api/orders', { token: await tokenFor(randomUUID()), headers: { 'x-request-id': 'bad id with spaces' } });
      const requestId = answer.headers.get('x-request-id');
      expect(answer.status).toBe(200);
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(lastSeen(order)?.headers['x-request-id']).toBe(requestId);
    });

    it('refuses a user id in the body as an unknown field, without reaching the order service', async () => {
      const before = order.seen.length;
      const answer = await api('POST', '/api/orders', {
        token: await tokenFor(randomUUID()),
        json: { items: [{ productId: products[0].id, quantity: 1 }], userId: randomUUID() },
      });
      expect(answer).toMatchObject({ status: 400, body: { statusCode: 400, error: 'Bad Request', message: expect.stringContaining('Unrecognized key: "userId"') } });
      expect(order.seen.length).toBe(before);
    });

    it('passes registration and login through, including the upstream 409 and 401 with their bodies', async () => {
      const created = await api('POST', '/api/auth/register', { json: { email: 'ann@example.com', password: 'correct horse', name: 'Ann' } });
      expect(created).toMatchObject({ status: 201, body: { email: 'ann@example.com', name: 'Ann' } });
      const taken = await api('POST', '/api/auth/register', { json: { email: 'taken@example.com', password: 'correct horse', name: 'Ann' } });
      expect(taken).toMatchObject({ status: 409, body: { statusCode: 409, error: 'Conflict', message: 'Email already registered' } });
      const login = await api('POST', '/api/auth/login', { json: { email: 'ann@example.com', password: 'right password' } });
      expect(login).toMatchObject({ status: 200, body: { accessToken: 'issued.by.user' } });
      const wrong = await api('POST', '/api/auth/login', { json: { email: 'ann@example.com', password: 'wrong' } });
      expect(wrong).toMatchObject({ status: 401, body: { statusCode: 401, message: 'Wrong email or password' } });
    });

    it('gives a non-standard upstream 4xx the public error shape, keeping its status', async () => {
      const answer = await api('GET', `/api/orders/${randomUUID()}`, { token: await tokenFor(randomUUID()) });
      expect(answer).toMatchObject({ status: 404, body: { statusCode: 404, error: 'Not Found', message: 'order rejected the request' } });
    });
  });

  describe('authentication', () => {
    const privateRoutes: [string, string][] = [
      ['GET', '/api/me'],
      ['POST', '/api/wallet/deposits'],
      ['GET', '/api/wallet'],
      ['GET', '/api/wallet/history'],
      ['POST', '/api/orders'],
      ['GET', `/api/orders/${randomUUID()}`],
      ['GET', '/api/orders'],
      ['GET', '/api/recommendations'],
      ['GET', '/api/dashboard'],
    ];

    it('answers 401 on every private route without a token, before validating or calling anything', async () => {
      const before = user.seen.length + order.seen.length + grpcSeen.length;
      for (const [method, path] of privateRoutes) {
        const answer = await api(method, path, method === 'POST' ? { json: { nonsense: true } } : {});
        expect({ method, path, status: answer.status, body: answer.body }).toEqual({
          method,
          path,
          status: 401,
          body: { statusCode: 401, error: 'Unauthorized', message: 'Missing bearer token', code: 'AUTH.UNAUTHENTICATED' },
        });
      }
      expect(user.seen.length + order.seen.length + grpcSeen.length).toBe(before);
    });

    it('answers 401 for expired, tampered, unsigned, foreign-key, wrong-audience and wrong-issuer tokens', async () => {
      const ann = randomUUID();
      const good = await tokenFor(ann);
      const [header, payload, signature] = good.split('.');
      const forgedPayload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), sub: randomUUID() })).toString('base64url');
      const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${payload}.`;
      const bad = [
        await tokenFor(ann, { expiresAt: Math.floor(Date.now() / 1000) - 10 }),
        `${header}.${forgedPayload}.${signature}`,
        unsigned,
        await tokenFor(ann, { privateKeyPem: otherKeys.privateKey }),
        await tokenFor(ann, { audience: 'another-api' }),
        await tokenFor(ann, { issuer: 'someone-else' }),
      ];
      const before = user.seen.length;
      for (const token of bad) {
        tokensUsed.add(token);
        expect((await api('GET', '/api/me', { token })).status).toBe(401);
      }
      expect(user.seen.length).toBe(before);
      expect((await api('GET', '/api/me', { token: good })).status).toBe(200);
    });

    it('serves the catalog without a token but refuses a bad token there too', async () => {
      expect(await api('GET', '/api/products')).toMatchObject({ status: 200, body: products });
      expect((await api('GET', '/api/products', { token: 'not.a.token' })).status).toBe(401);
    });
  });

  describe('validation', () => {
    it('answers 400 for invalid bodies, malformed JSON, bad ids and unknown query fields without reaching an upstream', async () => {
      const token = await tokenFor(randomUUID());
      const before = order.seen.length + inventory.seen.length + grpcSeen.length;
      const cases: Answer[] = [
        await api('POST', '/api/orders', { token, json: { items: [{ productId: products[0].id, quantity: 0 }] } }),
        await api('POST', '/api/orders', { token, json: { items: [{ productId: 'not-a-uuid', quantity: 1 }] } }),
        await api('POST', '/api/orders', { token, json: { items: [{ productId: products[0].id, quantity: 1 }], saga: 'both' } }),
        await api('POST', '/api/orders', { token, raw: '{"items": [' }),
        await api('POST', '/api/wallet/deposits', { token, json: { amountCents: -5 } }),
        await api('GET', '/api/wallet?at=yesterday', { token }),
        await api('GET', '/api/orders?page=2', { token }),
        await api('GET', '/api/products/42'),
      ];
      for (const answer of cases) expect(answer).toMatchObject({ status: 400, body: { statusCode: 400, error: 'Bad Request' } });
      expect(order.seen.length + inventory.seen.length + grpcSeen.length).toBe(before);
    });

    it('answers 413 for a body over the limit without reaching the upstream', async () => {
      const before = order.seen.length;
      const items = Array.from({ length: 50 }, () => ({ productId: randomUUID(), quantity: 1, padding: 'x'.repeat(40) }));
      const answer = await api('POST', '/api/orders', { token: await tokenFor(randomUUID()), json: { items } });
      expect(answer).toMatchObject({ status: 413, body: { statusCode: 413, error: 'Payload Too Large' } });
      expect(order.seen.length).toBe(before);
    });
  });

  describe('rate limiting', () => {
    it('answers 429 with Retry-After once a user passes the per-user limit, whatever IP they use', async () => {
      const token = await tokenFor(randomUUID());
      const statuses: number[] = [];
      for (let i = 0; i < PER_USER_LIMIT; i++) statuses.push((await api('GET', '/api/orders', { token })).status);
      expect(statuses.every((status) => status === 200)).toBe(true);
      const refused = await api('GET', '/api/orders', { token });
      expect(refused).toMatchObject({ status: 429, body: { statusCode: 429, error: 'Too Many Requests' } });
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    });

    it('answers 429 per client IP, taken from the right-most X-Forwarded-For entry so a client cannot dodge it', async () => {
      const before = inventory.seen.length;
      for (let i = 0; i < PER_IP_LIMIT; i++) {
        const spoofed = `${rand()}.${rand()}.${rand()}.${rand()}, 203.0.113.77`;
        expect((await api('GET', '/api/products', { ip: spoofed })).status).toBe(200);
      }
      const refused = await api('GET', '/api/products', { ip: '1.1.1.1, 203.0.113.77' });
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(inventory.seen.length - before).toBe(PER_IP_LIMIT);
      expect((await api('GET', '/api/products', { ip: '203.0.113.78' })).status).toBe(200);
    });
  });

  describe('wallet over gRPC', () => {
    it('deposits for the token subject, with a deposit id derived from the Idempotency-Key, and the request id in metadata', async () => {
      const ann = randomUUID();
      const token = await tokenFor(ann);
      for (let i = 0; i < 2; i++) {
        const answer = await api('POST', '/api/wallet/deposits', { token, headers: { 'idempotency-key': 'dep-1', 'x-request-id': `dep-req-${i}` }, json: { amountCents: 2_500 } });
        expect(answer).toMatchObject({ status: 201, body: { balanceCents: 2_500 } });
      }
      const deposits = grpcSeen.filter((call) => call.method === 'Deposit').slice(-2);
      expect(deposits.map((call) => call.request)).toEqual([
        { userId: ann, amountCents: 2_500, depositId: depositIdFor(ann, 'dep-1') },
        { userId: ann, amountCents: 2_500, depositId: depositIdFor(ann, 'dep-1') },
      ]);
      expect(deposits.map((call) => call.requestId)).toEqual(['dep-req-0', 'dep-req-1']);
    });

    it('answers the balance at a past instant and the history oldest first with parsed data', async () => {
      const token = await tokenFor(randomUUID());
      const at = '2026-11-27T10:01:00.000Z';
      expect(await api('GET', `/api/wallet?at=${at}`, { token })).toMatchObject({ status: 200, body: { balanceCents: 7_000, asOf: at } });
      expect(grpcSeen.filter((call) => call.method === 'GetBalance').pop()?.request).toMatchObject({ at });
      expect(await api('GET', '/api/wallet/history', { token })).toMatchObject({
        status: 200,
        body: [
          { version: 1, type: 'wallet.opened.v1', data: {} },
          { version: 2, type: 'wallet.deposited.v1', occurredAt: '2026-11-27T10:05:00.000Z', data: { amountCents: 7000 } },
        ],
      });
      expect(grpcSeen.filter((call) => call.method === 'GetHistory').pop()?.request).toMatchObject({ afterVersion: 0, limit: 100 });
    });

    it('pages the history: passes after and limit on, points to the next page in a Link header, and refuses a limit over 500', async () => {
      const token = await tokenFor(randomUUID());
      const first = await fetch(`${baseUrl}/api/wallet/history?limit=1`, { headers: { authorization: `Bearer ${token}` } });
      expect(first.status).toBe(200);
      expect(((await first.json()) as Array<{ version: number }>).map((event) => event.version)).toEqual([1]);
      expect(first.headers.get('link')).toBe('</api/wallet/history?after=1&limit=1>; rel="next"');
      const second = await fetch(`${baseUrl}/api/wallet/history?after=1&limit=1`, { headers: { authorization: `Bearer ${token}` } });
      expect(((await second.json()) as Array<{ version: number }>).map((event) => event.version)).toEqual([2]);
      expect(second.headers.get('link')).toBeNull();
      expect((await api('GET', '/api/wallet/history?limit=501', { token })).status).toBe(400);
      expect((await api('GET', '/api/wallet/history?after=-1', { token })).status).toBe(400);
    });
  });

  describe('errors of dependencies', () => {
    it('tells the client only which dependency failed, and keeps what grpc-js said (addresses, ports) in the log', async () => {
      historyFailure = { code: GrpcCode.UNAVAILABLE, details: 'No connection established. Last error: Error: connect ECONNREFUSED 10.12.0.7:50054' };
      try {
        const answer = await api('GET', '/api/wallet/history', { token: await tokenFor(randomUUID()), headers: { 'x-request-id': 'history-down' } });
        expect(answer).toMatchObject({ status: 503, body: { statusCode: 503, error: 'Service Unavailable', message: 'payment is unavailable' } });
        expect(JSON.stringify(answer.body)).not.toContain('10.12.0.7');
        historyFailure = { code: GrpcCode.INTERNAL, details: 'Received RST_STREAM with code 2 remote_addr=10.12.0.7:50054' };
        const failed = await api('GET', '/api/wallet/history', { token: await tokenFor(randomUUID()) });
        expect(failed).toMatchObject({ status: 503, body: { message: 'payment is unavailable' } });
        expect(JSON.stringify(failed.body)).not.toContain('remote_addr');
      } finally {
        historyFailure = undefined;
      }
      const logged = logLines.filter((line) => line.includes('"reqId":"history-down"') && line.includes('"msg":"request failed"'));
      expect(logged).toEqual([expect.stringContaining('connect ECONNREFUSED 10.12.0.7:50054')]);
    });
  });

  describe('product views', () => {
    it('records a product-viewed event on Kafka, keyed by product, with the viewer and the request id', async () => {
      const kafka = new Kafka({ clientId: 'gateway-spec', brokers: await kafkaBrokers(), logLevel: logLevel.NOTHING });
      const admin = kafka.admin();
      await admin.connect();
      const endBefore = await admin.fetchTopicOffsets(USER_ACTIVITY_TOPIC);
      await admin.disconnect();

      const ann = randomUUID();
      const product = products[1];
      const answer = await api('GET', `/api/products/${product.id}`, { token: await tokenFor(ann), headers: { 'x-request-id': `view-${ann}` } });
      expect(answer).toMatchObject({ status: 200, body: product });

      // Read the topic from where it ended before the request: the shared topic may hold many older events.
      const received: { key: string | undefined; value: Record<string, unknown> }[] = [];
      consumer = kafka.consumer({ groupId: `gateway-spec-${randomUUID()}` });
      await consumer.connect();
      await consumer.subscribe({ topic: USER_ACTIVITY_TOPIC });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const value = JSON.parse(message.value?.toString() ?? '{}') as Record<string, unknown>;
          if (value.correlationId === `view-${ann}`) received.push({ key: message.key?.toString(), value });
        },
      });
      for (const { partition, high } of endBefore) consumer.seek({ topic: USER_ACTIVITY_TOPIC, partition, offset: high });
      const [event] = await eventually('the product-viewed event', async () => (received.length > 0 ? received : undefined), 30_000);
      expect(event.key).toBe(product.id);
      expect(event.value).toMatchObject({
        type: PRODUCT_VIEWED_TYPE,
        version: 1,
        correlationId: `view-${ann}`,
        causationId: null,
        data: { userId: ann, productId: product.id },
      });
      expect(event.value.id).toEqual(expect.stringMatching(/^[0-9a-f-]{36}$/));
    });

    it('passes a missing product through as 404', async () => {
      expect(await api('GET', `/api/products/${randomUUID()}`)).toMatchObject({ status: 404, body: { statusCode: 404, message: 'Product not found' } });
    });
  });

  describe('dashboard (API composition)', () => {
    it('composes profile, orders, wallet and recommendations from four gRPC services, with the request id on each call', async () => {
      const ann = randomUUID();
      recommendationMode = 'co-purchase';
      const answer = await api('GET', '/api/dashboard', { token: await tokenFor(ann), headers: { 'x-request-id': `dash-${ann}` } });
      expect(answer).toMatchObject({
        status: 200,
        body: {
          profile: { id: ann, name: 'Ann' },
          orders: [{ status: 'CONFIRMED', totalCents: 2500 }],
          wallet: { balanceCents: 7_000 },
          recommendations: [{ productId: products[2].id, score: 0.8 }],
          degraded: [],
        },
      });
      const calls = grpcSeen.filter((call) => call.requestId === `dash-${ann}`).map((call) => call.method);
      expect(calls.sort()).toEqual(['GetBalance', 'GetRecommendations', 'GetUser', 'ListOrders']);
    });

    it("degrades to the catalog's first items when recommendations are down and nothing popular is cached", async () => {
      recommendationMode = 'unavailable';
      const answer = await api('GET', '/api/dashboard', { token: await tokenFor(randomUUID()) });
      expect(answer).toMatchObject({
        status: 200,
        body: { profile: { name: 'Ann' }, wallet: { balanceCents: 7_000 }, degraded: ['recommendations'] },
      });
      expect((answer.body as { recommendations: unknown }).recommendations).toEqual(products.map((p) => ({ productId: p.id, score: 0 })).slice(0, 5));
      expect(answer.ms).toBeLessThan(DASHBOARD_DEADLINE_MS);
    });

    it('answers within its deadline with the last popular items when recommendations hang', async () => {
      recommendationMode = 'popular';
      const token = await tokenFor(randomUUID());
      expect(await api('GET', '/api/recommendations', { token })).toMatchObject({ status: 200, body: popularItems });
      recommendationMode = 'hang';
      const answer = await api('GET', '/api/dashboard', { token });
      expect(answer).toMatchObject({ status: 200, body: { recommendations: popularItems, degraded: ['recommendations'], wallet: { balanceCents: 7_000 } } });
      // The deadline plus scheduling slack on a busy machine; far below the 3 s the hanging service would take.
      expect(answer.ms).toBeLessThan(DASHBOARD_DEADLINE_MS + 500);
      const fallback = await api('GET', '/api/recommendations', { token });
      expect(fallback).toMatchObject({ status: 200, body: popularItems });
      expect(fallback.headers.get('x-degraded')).toBe('recommendations');
      recommendationMode = 'co-purchase';
    });
  });

  describe('dashboard deadlines and the breakers the other routes share', () => {
    it("does not open order's breaker, which order's writes use too, when order answers the dashboard after its part deadline", async () => {
      recommendationMode = 'co-purchase';
      // Later than the dashboard's part deadline (500 ms), well inside the order policy's timeout (1 s).
      listOrdersDelayMs = 600;
      try {
        const token = await tokenFor(randomUUID());
        for (let i = 0; i <= BREAKER_THRESHOLD; i++) {
          const answer = await api('GET', '/api/dashboard', { token });
          expect(answer).toMatchObject({ status: 200, body: { orders: [], wallet: { balanceCents: 7_000 }, degraded: ['orders'] } });
          expect(answer.ms).toBeLessThan(DASHBOARD_DEADLINE_MS + 500);
        }
        // The abandoned ListOrders calls go on under the order policy and answer, in time for it.
        await sleep(300);
      } finally {
        listOrdersDelayMs = 0;
      }
      expect(await api('GET', '/health/ready')).toMatchObject({ body: { checks: { breakers: { details: { order: 'closed' } } } } });
      const placed = await api('POST', '/api/orders', { token: await tokenFor(randomUUID()), json: { items: [{ productId: products[0].id, quantity: 1 }] } });
      expect(placed).toMatchObject({ status: 202, body: { status: 'PENDING' } });
      expect((await api('GET', '/api/dashboard', { token: await tokenFor(randomUUID()) })).body).toMatchObject({ degraded: [] });
    });
  });

  describe('docs, health and logs', () => {
    it('serves the OpenAPI document listing every public route, generated from the validation schemas', async () => {
      const answer = await api('GET', '/docs/json');
      expect(answer.status).toBe(200);
      const doc = answer.body as { paths: Record<string, Record<string, { security?: unknown; requestBody?: { content: Record<string, { schema: unknown }> } }>> };
      expect(Object.keys(doc.paths).sort()).toEqual(
        [
          '/api/auth/login',
          '/api/auth/register',
          '/api/dashboard',
          '/api/me',
          '/api/orders',
          '/api/orders/{id}',
          '/api/products',
          '/api/products/{id}',
          '/api/recommendations',
          '/api/wallet',
          '/api/wallet/deposits',
          '/api/wallet/history',
        ].sort(),
      );
      expect(doc.paths['/api/orders'].post.security).toEqual([{ bearerAuth: [] }]);
      expect(doc.paths['/api/orders'].post.requestBody?.content['application/json'].schema).toMatchObject({
        additionalProperties: false,
        properties: { items: { minItems: 1, maxItems: 50 } },
      });
      expect((await api('GET', '/docs')).status).toBe(200);
    });

    it('serves liveness and metrics', async () => {
      expect(await api('GET', '/health')).toMatchObject({ status: 200, body: { status: 'ok' } });
      const metrics = await api('GET', '/metrics');
      expect(String(metrics.body)).toContain('shop_breaker_state{dependency="recommendation"}');
    });

    it('writes an access log line per request and never a token or Authorization header', async () => {
      expect(logLines.some((line) => line.includes('"msg":"access"') && line.includes('/api/dashboard'))).toBe(true);
      const leaks = logLines.filter((line) => [...tokensUsed].some((token) => line.includes(token)) || /authorization|bearer/i.test(line));
      expect(leaks).toEqual([]);
    });
  });

  describe('failing upstreams', () => {
    it('answers 504 when an upstream does not answer within the deadline', async () => {
      const answer = await api('GET', `/api/orders/${hangingOrderId}`, { token: await tokenFor(randomUUID()) });
      expect(answer).toMatchObject({ status: 504, body: { statusCode: 504, error: 'Gateway Timeout' } });
      expect(answer.ms).toBeLessThan(UPSTREAM_TIMEOUT_MS + 500);
    });

    it('answers 503, not a bare 500, when an upstream fails with 500', async () => {
      const answer = await api('GET', `/api/orders/${failingOrderId}`, { token: await tokenFor(randomUUID()) });
      expect(answer).toMatchObject({ status: 503, body: { statusCode: 503, error: 'Service Unavailable', message: 'order is unavailable' } });
    });

    it('does not retry a read the upstream answered with 500: it was reached, and failed', async () => {
      const before = order.seen.filter((call) => call.url === `/orders/${failingOrderId}`).length;
      expect((await api('GET', `/api/orders/${failingOrderId}`, { token: await tokenFor(randomUUID()) })).status).toBe(503);
      expect(order.seen.filter((call) => call.url === `/orders/${failingOrderId}`).length - before).toBe(1);
    });

    it('answers 503 quickly when an upstream is down, and keeps failing fast once its breaker opens', async () => {
      await order.app.close();
      const token = await tokenFor(randomUUID());
      const first = await api('GET', '/api/orders', { token });
      expect(first).toMatchObject({ status: 503, body: { statusCode: 503, error: 'Service Unavailable' } });
      expect(first.ms).toBeLessThan(500);
      for (let i = 0; i < 4; i++) await api('GET', '/api/orders', { token: await tokenFor(randomUUID()) });
      const open = await api('GET', '/api/orders', { token: await tokenFor(randomUUID()) });
      expect(open).toMatchObject({ status: 503, body: { message: 'order is unavailable: circuit breaker is open' } });
      expect(open.ms).toBeLessThan(100);
    });

    it('names only the dependency when a gRPC upstream is gone, while the log keeps the address grpc-js could not reach', async () => {
      paymentServer.forceShutdown();
      const token = await tokenFor(randomUUID());
      const answers: Answer[] = [];
      // Two reads of two attempts each: below the breaker's threshold, so each answer is what grpc-js reported.
      for (let i = 0; i < 2; i++) answers.push(await api('GET', '/api/wallet', { token, headers: { 'x-request-id': `wallet-gone-${i}` } }));
      for (const answer of answers) {
        expect(answer).toMatchObject({ status: 503, body: { statusCode: 503, error: 'Service Unavailable', message: 'payment is unavailable' } });
      }
      const logged = logLines.filter((line) => line.includes('"reqId":"wallet-gone-') && line.includes('"msg":"request failed"'));
      expect(logged.some((line) => line.includes(paymentAddress))).toBe(true);
    });
  });
});
