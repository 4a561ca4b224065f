import {
  api,
  balance,
  type Customer,
  newCustomer,
  orderUntil,
  placeOrder,
  type Product,
  product,
  products,
  metricSamples,
  ready,
  setChaos,
  startApp,
  stopApp,
  until,
} from './support/system';

// Patterns 3, 7 and 9: one scenario suite, run against both saga styles, with identical expected outcomes.
const deadlineMs = Number(process.env.ORDER_SAGA_DEADLINE_MS ?? 30_000);
const settle = deadlineMs + 20_000;

describe.each(['orchestration', 'choreography'] as const)('the order saga (%s)', (style) => {
  let catalog: Product[];
  let pick: (n: number) => Product;

  beforeAll(async () => {
    const someone = await newCustomer();
    catalog = (await products(someone.token)).filter((p) => p.available >= 10 && p.priceCents <= 20_000);
    // Each style uses its own products, so the two suites never compete for stock.
    const offset = style === 'orchestration' ? 0 : Math.floor(catalog.length / 2);
    pick = (n) => catalog[offset + n];
  });

  it('confirms, then ships, an order with enough funds and stock: wallet debited once, stock taken once', async () => {
    const customer = await newCustomer(100_000);
    const item = pick(0);
    const stockBefore = (await product(customer.token, item.id)).available;
    const placed = await placeOrder(customer, [{ productId: item.id, quantity: 2 }], style);
    const confirmed = await orderUntil(customer, placed.body.id, ['CONFIRMED', 'SHIPPED', 'CANCELLED'], settle);
    expect(confirmed.status).not.toBe('CANCELLED');
    expect(confirmed.sagaStyle).toBe(style);
    const shipped = await orderUntil(customer, placed.body.id, ['SHIPPED'], 30_000);
    expect(shipped.trackingNumber).toEqual(expect.any(String));
    expect(shipped.history.map((h) => h.status)).toEqual(['PENDING', 'CONFIRMED', 'SHIPPED']);
    expect(await balance(customer)).toBe(100_000 - 2 * item.priceCents);
    expect((await product(customer.token, item.id)).available).toBe(stockBefore - 2);
  });

  it('cancels with PAYMENT_DECLINED when the balance is too low: stock restored, wallet unchanged', async () => {
    const item = pick(1);
    const customer = await newCustomer(item.priceCents - 1);
    const stockBefore = (await product(customer.token, item.id)).available;
    const placed = await placeOrder(customer, [{ productId: item.id, quantity: 1 }], style);
    const order = await orderUntil(customer, placed.body.id, ['CONFIRMED', 'CANCELLED'], settle);
    expect(order).toMatchObject({ status: 'CANCELLED', reason: 'PAYMENT_DECLINED' });
    await until('stock restored', async () => ((await product(customer.token, item.id)).available === stockBefore ? true : undefined));
    expect(await balance(customer)).toBe(item.priceCents - 1);
  });

  it('cancels with OUT_OF_STOCK when stock is short, and charges nothing', async () => {
    const customer = await newCustomer(100_000_000);
    // A product of this style's half of the catalog with fewer than 100 units left (one line orders at most 100).
    const mid = Math.floor(catalog.length / 2);
    const half = new Set((style === 'orchestration' ? catalog.slice(0, mid) : catalog.slice(mid)).map((p) => p.id));
    const item = (await products(customer.token)).filter((p) => half.has(p.id) && p.available > 0 && p.available < 100).sort((a, b) => a.available - b.available)[0];
    if (!item) throw new Error('no product with 1..99 units left in this half of the catalog');
    const available = item.available;
    const placed = await placeOrder(customer, [{ productId: item.id, quantity: available + 1 }], style);
    const order = await orderUntil(customer, placed.body.id, ['CONFIRMED', 'CANCELLED'], settle);
    expect(order).toMatchObject({ status: 'CANCELLED', reason: 'OUT_OF_STOCK' });
    expect(await balance(customer)).toBe(100_000_000);
    expect((await product(customer.token, item.id)).available).toBe(available);
  });

  describe('while the payment process is stopped', () => {
    afterAll(async () => {
      await startApp('payment');
    });

    it('cancels orders with PAYMENT_UNAVAILABLE after the deadline, restores stock, and confirms again once payment is back', async () => {
      const customer = await newCustomer(100_000);
      const item = pick(3);
      const stockBefore = (await product(customer.token, item.id)).available;
      await stopApp('payment');
      const placed = await Promise.all([1, 2, 3].map(() => placeOrder(customer, [{ productId: item.id, quantity: 1 }], style)));
      for (const p of placed) expect(p.status).toBe(202);

      if (style === 'orchestration') {
        // The breaker opens: calls to payment are refused at once, and readiness shows it.
        const breakers = await until('payment breaker open', async () => {
          const health = await fetch('http://127.0.0.1:3002/health/ready').then((r) => r.json() as Promise<{ checks: { breakers?: { details?: Record<string, string> } } }>);
          return health.checks.breakers?.details?.payment === 'open' ? health.checks.breakers.details : undefined;
        }, deadlineMs);
        expect(breakers.payment).toBe('open');

        // While open, the breaker refuses calls without trying payment: every rejected call returned within 50 ms
        // (order's histogram of dependency calls, outcome "rejected").
        const rejected = await until('calls rejected by the open breaker', async () => {
          const buckets = (await metricSamples('order', 'shop_dependency_call_duration_seconds_bucket')).filter(
            (sample) => sample.labels.dependency === 'payment' && sample.labels.outcome === 'rejected',
          );
          const total = buckets.find((sample) => sample.labels.le === '+Inf')?.value ?? 0;
          return total > 0 ? { total, within50ms: buckets.find((sample) => sample.labels.le === '0.05')?.value ?? 0 } : undefined;
        }, deadlineMs);
        expect(rejected.within50ms).toBe(rejected.total);
      }

      for (const p of placed) {
        const order = await orderUntil(customer, p.body.id, ['CONFIRMED', 'CANCELLED'], settle);
        expect(order).toMatchObject({ status: 'CANCELLED', reason: 'PAYMENT_UNAVAILABLE' });
      }
      await until('stock restored', async () => ((await product(customer.token, item.id)).available === stockBefore ? true : undefined));

      await startApp('payment');
      // A charge that was still queued for those orders is refunded (or voided) once payment is back: no money stays taken.
      await until('wallet unchanged', async () => ((await balance(customer)) === 100_000 ? true : undefined), 30_000);

      const after = await placeOrder(customer, [{ productId: item.id, quantity: 1 }], style);
      const order = await orderUntil(customer, after.body.id, ['CONFIRMED', 'SHIPPED', 'CANCELLED'], settle);
      expect(order.status).not.toBe('CANCELLED');
      expect(await balance(customer)).toBe(100_000 - item.priceCents);
    });
  });

  // The crash points: the step's work is committed by inventory (Reserve) or payment (Charge), then its gRPC reply is
  // held back by the fault switch, and the order process is killed inside that window — it never heard the answer.
  // Under choreography the step runs in inventory's or payment's Kafka consumer; the kill lands at the same
  // observable point (stock taken, wallet debited) while the saga is still in flight.
  describe.each([
    ['a reservation', 'inventory', 'Reserve', 4],
    ['a charge', 'payment', 'Charge', 5],
  ] as const)('when the order process is killed (SIGKILL) right after %s', (_what, app, method, productIndex) => {
    afterAll(async () => {
      await setChaos(app, {});
      await startApp('order');
    });

    it('finishes every saga after restart: none stays PENDING, none is both charged and cancelled, money and stock are conserved', async () => {
      const customers = await Promise.all([1, 2, 3, 4].map(() => newCustomer(50_000)));
      const item = pick(productIndex);
      const stockBefore = (await product(customers[0].token, item.id)).available;
      await setChaos(app, { replyDelayMs: 1_000, methods: [method] });
      const placed = await Promise.all(customers.map((c) => placeOrder(c, [{ productId: item.id, quantity: 1 }], style)));
      for (const p of placed) expect(p.status).toBe(202);
      if (app === 'inventory') {
        await until('stock reserved for every order', async () =>
          (await product(customers[0].token, item.id)).available <= stockBefore - customers.length ? true : undefined, 15_000);
      } else {
        await until('every wallet charged', async () =>
          (await Promise.all(customers.map((c) => balance(c)))).every((b) => b < 50_000) ? true : undefined, 15_000);
      }
      await stopApp('order', 'SIGKILL');
      await setChaos(app, {});
      await startApp('order');

      const outcomes = await Promise.all(placed.map((p, i) => orderUntil(customers[i], p.body.id, ['CONFIRMED', 'SHIPPED', 'CANCELLED'], settle)));
      let sold = 0;
      for (const [i, order] of outcomes.entries()) {
        const expected = order.status === 'CANCELLED' ? 50_000 : 50_000 - item.priceCents;
        // A cancelled order's charge is refunded and a confirmed one is debited exactly once.
        const money = await until('balance settled', async () => ((await balance(customers[i])) === expected ? expected : undefined));
        expect(money).toBe(expected);
        if (order.status !== 'CANCELLED') sold++;
      }
      await until('stock conserved', async () => ((await product(customers[0].token, item.id)).available === stockBefore - sold ? true : undefined));
    });
  });
});

describe('the dashboard (API composition)', () => {
  let customer: Customer;

  beforeAll(async () => {
    customer = await newCustomer(12_345);
  });

  afterAll(async () => {
    await startApp('recommendation');
  });

  it('composes profile, orders, wallet and recommendations', async () => {
    const response = await api<{ profile: { id: string }; wallet: { balanceCents: number }; orders: unknown[]; recommendations: unknown[]; degraded: string[] }>(
      'GET',
      '/api/dashboard',
      { token: customer.token },
    );
    expect(response.status).toBe(200);
    expect(response.body.profile.id).toBe(customer.id);
    expect(response.body.wallet.balanceCents).toBe(12_345);
    expect(response.body.degraded).toEqual([]);
  });

  it('answers in time with popular items and degraded: ["recommendations"] while recommendation is down', async () => {
    await stopApp('recommendation');
    expect(await ready('recommendation')).toBe(false);
    const started = Date.now();
    const response = await api<{ recommendations: Array<{ productId: string }>; degraded: string[]; wallet: { balanceCents: number } }>('GET', '/api/dashboard', {
      token: customer.token,
    });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(response.status).toBe(200);
    expect(response.body.degraded).toEqual(['recommendations']);
    expect(response.body.recommendations.length).toBeGreaterThan(0);
    expect(response.body.wallet.balanceCents).toBe(12_345);
  });
});
