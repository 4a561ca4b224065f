import { randomUUID } from 'node:crypto';
import { type z } from 'zod';
import { loginBody, registerBody } from './auth.routes';
import { idempotencyHeaders, orderParams, placeOrderBody } from './orders.routes';
import { productParams } from './products.routes';
import { balanceQuery, depositBody, depositIdFor } from './wallet.routes';

const ok = (schema: z.ZodType, value: unknown): boolean => schema.safeParse(value).success;
const issues = (schema: z.ZodType, value: unknown): string => {
  const result = schema.safeParse(value);
  return result.success ? '' : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
};

describe('request schemas', () => {
  const item = { productId: randomUUID(), quantity: 2 };

  describe('placing an order', () => {
    it('accepts 1 to 50 items with quantities 1 to 100 and an optional saga style', () => {
      expect(ok(placeOrderBody, { items: [item] })).toBe(true);
      expect(ok(placeOrderBody, { items: Array.from({ length: 50 }, () => item), saga: 'choreography' })).toBe(true);
      expect(ok(placeOrderBody, { items: [{ ...item, quantity: 100 }], saga: 'orchestration' })).toBe(true);
    });

    it('refuses an unknown field, such as a user id in the body', () => {
      expect(issues(placeOrderBody, { items: [item], userId: randomUUID() })).toContain('Unrecognized key: "userId"');
      expect(issues(placeOrderBody, { items: [{ ...item, price: 1 }] })).toContain('items.0');
    });

    it('refuses quantities outside 1..100 or not whole', () => {
      for (const quantity of [0, -1, 101, 1.5, '2']) expect(ok(placeOrderBody, { items: [{ ...item, quantity }] })).toBe(false);
    });

    it('refuses no items, more than 50, a product id that is not a UUID and an unknown saga style', () => {
      expect(ok(placeOrderBody, { items: [] })).toBe(false);
      expect(ok(placeOrderBody, { items: Array.from({ length: 51 }, () => item) })).toBe(false);
      expect(issues(placeOrderBody, { items: [{ productId: 'abc', quantity: 1 }] })).toContain('items.0.productId');
      expect(issues(placeOrderBody, { items: [item], saga: 'both' })).toContain('saga');
    });

    it('accepts an Idempotency-Key of visible ASCII and refuses an empty or overlong one', () => {
      expect(ok(idempotencyHeaders, { 'idempotency-key': 'order-2026-11-27-001' })).toBe(true);
      expect(ok(idempotencyHeaders, {})).toBe(true);
      expect(ok(idempotencyHeaders, { 'idempotency-key': '' })).toBe(false);
      expect(ok(idempotencyHeaders, { 'idempotency-key': 'x'.repeat(201) })).toBe(false);
    });
  });

  describe('the wallet', () => {
    it('accepts a deposit of a positive whole number of cents up to 100,000,000', () => {
      expect(ok(depositBody, { amountCents: 1 })).toBe(true);
      expect(ok(depositBody, { amountCents: 100_000_000 })).toBe(true);
    });

    it('refuses a zero, negative, fractional, too large or textual amount, and unknown fields', () => {
      for (const amountCents of [0, -5, 10.5, 100_000_001, '100']) expect(ok(depositBody, { amountCents })).toBe(false);
      expect(issues(depositBody, { amountCents: 100, currency: 'EUR' })).toContain('Unrecognized key: "currency"');
    });

    it('accepts `at` as an ISO-8601 instant, with Z or an offset, and refuses anything else', () => {
      expect(ok(balanceQuery, {})).toBe(true);
      expect(ok(balanceQuery, { at: '2026-11-27T10:00:00Z' })).toBe(true);
      expect(ok(balanceQuery, { at: '2026-11-27T10:00:00.123+01:00' })).toBe(true);
      for (const at of ['yesterday', '2026-11-27', '1764237600000']) expect(ok(balanceQuery, { at })).toBe(false);
      expect(ok(balanceQuery, { at: '2026-11-27T10:00:00Z', user: 'x' })).toBe(false);
    });

    it('derives the same deposit id from the same user and Idempotency-Key, and another for another user', () => {
      const ann = randomUUID();
      const first = depositIdFor(ann, 'key-1');
      expect(depositIdFor(ann, 'key-1')).toBe(first);
      expect(depositIdFor(randomUUID(), 'key-1')).not.toBe(first);
      expect(depositIdFor(ann, 'key-2')).not.toBe(first);
      expect(ok(productParams, { id: first })).toBe(true);
    });

    it('makes every deposit without an Idempotency-Key a new one', () => {
      const ann = randomUUID();
      expect(depositIdFor(ann, undefined)).not.toBe(depositIdFor(ann, undefined));
    });
  });

  describe('users and products', () => {
    it('accepts a registration and refuses a bad email, a short password or an extra field', () => {
      const registration = { email: 'ann@example.com', password: 'correct horse', name: 'Ann' };
      expect(ok(registerBody, registration)).toBe(true);
      expect(issues(registerBody, { ...registration, email: 'ann' })).toContain('email');
      expect(issues(registerBody, { ...registration, password: 'short' })).toContain('password');
      expect(issues(registerBody, { ...registration, role: 'admin' })).toContain('Unrecognized key: "role"');
    });

    it('accepts a login and refuses one without a password', () => {
      expect(ok(loginBody, { email: 'ann@example.com', password: 'x' })).toBe(true);
      expect(ok(loginBody, { email: 'ann@example.com' })).toBe(false);
    });

    it('takes only UUIDs as product and order ids', () => {
      expect(ok(productParams, { id: randomUUID() })).toBe(true);
      expect(ok(productParams, { id: '42' })).toBe(false);
      expect(ok(orderParams, { id: "1' OR '1'='1" })).toBe(false);
    });
  });
});
