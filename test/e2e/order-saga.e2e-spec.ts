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
  ready,
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

  it('finishes every saga after the order process is killed mid-flight, conserving money and stock', async () => {
    const customers = await Promise.all([1, 2, 3, 4, 5, 6].map(() => newCustomer(50_000)));
    const item = pick(4);
    const stockBefore = (await product(customers[0].token, item.id)).available;
    const placed = await Promise.all(customers.map((c) => placeOrder(c, [{ productId: item.id, quantity: 1 }], style)));
    await stopApp('order', 'SIGKILL');
    await startApp('order');
    const outcomes = await Promise.all(placed.map((p, i) => orderUntil(customers[i], p.body.id, ['CONFIRMED', 'SHIPPED', 'CANCELLED'], settle)));
    let sold = 0;
    for (const [i, order] of outcomes.entries()) {
      const money = await until('balance settled', async () => {
        const b = await balance(customers[i]);
        return order.status === 'CANCELLED' ? (b === 50_000 ? b : undefined) : b === 50_000 - item.priceCents ? b : undefined;
      });
      expect(money).toBe(order.status === 'CANCELLED' ? 50_000 : 50_000 - item.priceCents);
      if (order.status !== 'CANCELLED') sold++;
    }
    await until('stock conserved', async () => ((await product(customers[0].token, item.id)).available === stockBefore - sold ? true : undefined));
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
