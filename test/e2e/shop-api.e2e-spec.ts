import { spawn, type ChildProcess } from 'node:child_process';
import { createPrivateKey, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { freePort } from '@shop/testing';
import { SignJWT } from 'jose';
import { api, type Customer, envFile, GATEWAY, newCustomer, orderUntil, placeOrder, type Product, product, products, ROOT, until } from './support/system';

// Patterns 1 and 2 through the public API only: the gateway in front of user, inventory and order.
describe('the shop API through the gateway', () => {
  let alice: Customer;
  let bob: Customer;
  let catalog: Product[];

  beforeAll(async () => {
    [alice, bob] = await Promise.all([newCustomer(10_000_000), newCustomer(0)]);
    catalog = await products(alice.token);
  });

  it('registers, logs in and reads the profile', async () => {
    const me = await api<{ id: string; email: string }>('GET', '/api/me', { token: alice.token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: alice.id, email: alice.email });
    const again = await api('POST', '/api/auth/register', { body: { email: alice.email.toUpperCase(), password: 'another password', name: 'Twin' } });
    expect(again.status).toBe(409);
  });

  it('lists the seeded catalog and shows one product', async () => {
    expect(catalog.length).toBeGreaterThanOrEqual(50);
    for (const p of catalog) expect(p).toEqual({ id: expect.any(String), sku: expect.any(String), name: expect.any(String), priceCents: expect.any(Number), available: expect.any(Number) });
    const one = await api<Product & { description: string }>('GET', `/api/products/${catalog[0].id}`, { token: alice.token });
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id: catalog[0].id, name: catalog[0].name, priceCents: catalog[0].priceCents });
    expect(one.body.description.length).toBeGreaterThan(10);
  });

  it('creates an order priced from the catalog and reads it back', async () => {
    const [a, b] = [catalog[1], catalog[2]];
    const placed = await placeOrder(alice, [{ productId: a.id, quantity: 2 }, { productId: b.id, quantity: 1 }]);
    expect(placed.status).toBe(202);
    expect(placed.body).toEqual({ id: expect.any(String), status: 'PENDING' });
    const order = await orderUntil(alice, placed.body.id, ['CONFIRMED', 'SHIPPED']);
    expect(order.totalCents).toBe(2 * a.priceCents + b.priceCents);
    expect(order.items).toEqual(
      expect.arrayContaining([
        { productId: a.id, name: a.name, quantity: 2, unitPriceCents: a.priceCents },
        { productId: b.id, name: b.name, quantity: 1, unitPriceCents: b.priceCents },
      ]),
    );
    const mine = await api<Array<{ id: string }>>('GET', '/api/orders', { token: alice.token });
    expect(mine.body.map((o) => o.id)).toContain(placed.body.id);
  });

  it('never trusts a price or a user id sent by the client', async () => {
    const p = catalog[3];
    const withPrice = await api('POST', '/api/orders', { token: alice.token, body: { items: [{ productId: p.id, quantity: 1, unitPriceCents: 1 }] } });
    expect(withPrice.status).toBe(400);
    const withUser = await api('POST', '/api/orders', { token: alice.token, body: { items: [{ productId: p.id, quantity: 1 }], userId: bob.id } });
    expect(withUser.status).toBe(400);
  });

  describe('Idempotency-Key', () => {
    it('answers the same key and body with the same order', async () => {
      const key = randomUUID();
      const items = [{ productId: catalog[4].id, quantity: 1 }];
      const first = await placeOrder(alice, items, undefined, key);
      const second = await placeOrder(alice, items, undefined, key);
      expect(first.status).toBe(202);
      expect(second.status).toBe(202);
      expect(second.body.id).toBe(first.body.id);
    });

    it('refuses the same key with a different body (422)', async () => {
      const key = randomUUID();
      expect((await placeOrder(alice, [{ productId: catalog[4].id, quantity: 1 }], undefined, key)).status).toBe(202);
      const other = await placeOrder(alice, [{ productId: catalog[4].id, quantity: 2 }], undefined, key);
      expect(other.status).toBe(422);
    });

    it('creates exactly one order for concurrent duplicates; the others get 409 or the same order', async () => {
      const key = randomUUID();
      const items = [{ productId: catalog[5].id, quantity: 1 }];
      const answers = await Promise.all(Array.from({ length: 8 }, () => placeOrder(alice, items, undefined, key)));
      const created = new Set(answers.filter((a) => a.status === 202).map((a) => a.body.id));
      expect(created.size).toBe(1);
      for (const answer of answers) expect([202, 409]).toContain(answer.status);
    });

    it('scopes keys per user', async () => {
      const key = randomUUID();
      const items = [{ productId: catalog[4].id, quantity: 1 }];
      const bobRich = await newCustomer(1_000_000);
      const a = await placeOrder(alice, items, undefined, key);
      const b = await placeOrder(bobRich, items, undefined, key);
      expect(a.status).toBe(202);
      expect(b.status).toBe(202);
      expect(b.body.id).not.toBe(a.body.id);
    });
  });

  it("answers 404 (not 403, not the order) when another user asks for an order", async () => {
    const placed = await placeOrder(alice, [{ productId: catalog[6].id, quantity: 1 }]);
    await orderUntil(alice, placed.body.id, ['CONFIRMED', 'SHIPPED', 'CANCELLED']);
    const asBob = await api('GET', `/api/orders/${placed.body.id}`, { token: bob.token });
    expect(asBob.status).toBe(404);
    expect(JSON.stringify(asBob.body)).not.toContain(alice.id);
  });

  describe('authentication', () => {
    const key = (): ReturnType<typeof createPrivateKey> =>
      createPrivateKey(readFileSync(resolve(ROOT, process.env.USER_JWT_PRIVATE_KEY_FILE ?? '.local/keys/jwt-ed25519.private.pem')));
    const claims = (): { iss: string; aud: string } => ({ iss: process.env.JWT_ISSUER ?? 'shop-user', aud: process.env.JWT_AUDIENCE ?? 'shop-api' });
    const sign = (payload: Record<string, unknown>, expiresIn: string | number, audience = claims().aud): Promise<string> =>
      new SignJWT(payload).setProtectedHeader({ alg: 'EdDSA' }).setSubject(alice.id).setIssuer(claims().iss).setAudience(audience).setIssuedAt().setExpirationTime(expiresIn).sign(key());

    it.each([
      ['missing', async () => undefined],
      ['expired', async () => sign({}, Math.floor(Date.now() / 1000) - 60)],
      ['tampered', async () => {
        const [h, p, s] = alice.token.split('.');
        const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
        return [h, Buffer.from(JSON.stringify({ ...payload, sub: bob.id })).toString('base64url'), s].join('.');
      }],
      ['alg none', async () => {
        const payload = JSON.parse(Buffer.from(alice.token.split('.')[1], 'base64url').toString());
        return `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.`;
      }],
      ['wrong audience', async () => sign({}, '5m', 'someone-else')],
    ])('rejects a %s token with 401 on every private route', async (_kind, token) => {
      const t = await token();
      for (const [method, path] of [['GET', '/api/me'], ['GET', '/api/orders'], ['GET', '/api/wallet'], ['POST', '/api/orders'], ['GET', '/api/dashboard']]) {
        const response = await api(method, path, { token: t, body: method === 'POST' ? { items: [{ productId: catalog[0].id, quantity: 1 }] } : undefined });
        expect(`${method} ${path} ${response.status}`).toBe(`${method} ${path} 401`);
      }
    });
  });

  describe('bad input gets a clear 4xx and writes nothing', () => {
    const countOrders = async (): Promise<number> => (await api<unknown[]>('GET', '/api/orders', { token: bob.token })).body.length;

    it.each([
      ['malformed JSON', { rawBody: '{"items": [' }],
      ['an unknown field', { body: { items: [{ productId: '00000000-0000-4000-8000-000000000000', quantity: 1 }], coupon: 'FREE' } }],
      ['a zero quantity', { body: { items: [{ productId: '00000000-0000-4000-8000-000000000000', quantity: 0 }] } }],
      ['a negative quantity', { body: { items: [{ productId: '00000000-0000-4000-8000-000000000000', quantity: -3 }] } }],
      ['an unknown product', { body: { items: [{ productId: randomUUID(), quantity: 1 }] } }],
      ['a body over the limit', { rawBody: JSON.stringify({ items: [{ productId: randomUUID(), quantity: 1 }], pad: 'x'.repeat(200_000) }) }],
    ])('%s', async (_what, request) => {
      const before = await countOrders();
      const response = await api<{ statusCode: number; message: string }>('POST', '/api/orders', { token: bob.token, ...request });
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expect(response.body.message).toEqual(expect.any(String));
      expect(response.body.message.length).toBeGreaterThan(5);
      await new Promise((r) => setTimeout(r, 300));
      expect(await countOrders()).toBe(before);
    });
  });

  it('answers 401 to every private route without Authorization', async () => {
    for (const path of ['/api/me', '/api/orders', '/api/wallet', '/api/wallet/history', '/api/recommendations', '/api/dashboard']) {
      expect(`${path} ${(await api('GET', path)).status}`).toBe(`${path} 401`);
    }
  });

  it('never reserves more than it has: 20 concurrent orders for the last 5 units', async () => {
    const rich = await newCustomer(90_000_000);
    const target = [...catalog].sort((x, y) => x.available - y.available).find((p) => p.available > 15 && p.available <= 105 && p.priceCents < 20_000);
    if (!target) throw new Error('no product with a suitable stock level in the catalog');
    // Other specs may have sold some of it since the catalog was read: drain from the current stock.
    const { available } = await product(rich.token, target.id);
    const drain = await placeOrder(rich, [{ productId: target.id, quantity: available - 5 }], 'orchestration');
    expect((await orderUntil(rich, drain.body.id, ['CONFIRMED', 'SHIPPED', 'CANCELLED'])).status).not.toBe('CANCELLED');
    const racers = await Promise.all(Array.from({ length: 20 }, () => newCustomer(1_000_000)));
    const placed = await Promise.all(racers.map((c) => placeOrder(c, [{ productId: target.id, quantity: 1 }])));
    const outcomes = await Promise.all(placed.map((p, i) => orderUntil(racers[i], p.body.id, ['CONFIRMED', 'SHIPPED', 'CANCELLED'], 60_000)));
    expect(outcomes.filter((o) => o.status !== 'CANCELLED')).toHaveLength(5);
    expect(outcomes.filter((o) => o.status === 'CANCELLED').every((o) => o.reason === 'OUT_OF_STOCK')).toBe(true);
    const after = await api<Product>('GET', `/api/products/${target.id}`, { token: rich.token });
    expect(after.body.available).toBe(0);
  });

  describe('rate limiting (a gateway started with low limits)', () => {
    let gateway: ChildProcess;
    let base: string;

    beforeAll(async () => {
      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      gateway = spawn(process.execPath, [resolve(ROOT, 'gateway/dist/main.js')], {
        cwd: ROOT,
        env: { ...envFile(), ...process.env, GATEWAY_HTTP_PORT: String(port), GATEWAY_RATE_LIMIT_PER_USER: '5', GATEWAY_RATE_LIMIT_PER_IP: '1000', LOG_LEVEL: 'warn' },
        stdio: 'ignore',
      });
      await until('the low-limit gateway', async () => ((await fetch(`${base}/health`).then((r) => r.status).catch(() => 0)) === 200 ? true : undefined));
    });

    afterAll(() => {
      gateway.kill('SIGTERM');
    });

    it('answers 429 with Retry-After once a user is over the limit', async () => {
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 8; i++) {
        const response = await api('GET', '/api/me', { token: alice.token, base });
        statuses.push(response.status);
        if (response.status === 429) retryAfter = response.headers.get('retry-after');
      }
      expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
      expect(statuses.slice(5)).toEqual([429, 429, 429]);
      expect(Number(retryAfter)).toBeGreaterThan(0);
    });
  });

  it('serves OpenAPI docs at /docs', async () => {
    const docs = await fetch(`${GATEWAY}/docs/json`);
    expect(docs.status).toBe(200);
    const spec = (await docs.json()) as { paths: Record<string, unknown> };
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/api/orders', '/api/auth/login', '/api/wallet/deposits']));
  });
});
