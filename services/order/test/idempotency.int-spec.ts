import { randomUUID } from 'node:crypto';
import { type DataSource } from 'typeorm';
import { IdempotencyRepository } from '../src/infrastructure/persistence/idempotency.repository';
import { openOrderDatabase } from './order-database';

/** Idempotency keys against real PostgreSQL: a key names at most one order, whatever the timing of its requests. */
describe('idempotency keys', () => {
  let dataSource: DataSource;
  let closeDatabase: () => Promise<void>;
  let keys: IdempotencyRepository;

  beforeAll(async () => {
    ({ dataSource, close: closeDatabase } = await openOrderDatabase('order_idempotency'));
    keys = new IdempotencyRepository(dataSource);
  });

  afterAll(async () => {
    await closeDatabase?.();
  });

  /** An order row, and the key completed with it, in one transaction (as placing an order does). */
  const createOrder = (userId: string, key: string): Promise<string> =>
    dataSource.transaction(async (manager) => {
      const orderId = randomUUID();
      await manager.query(`INSERT INTO orders (id, user_id, status, total_cents) VALUES ($1, $2, 'PENDING', 100)`, [orderId, userId]);
      await keys.complete(manager, userId, key, orderId);
      return orderId;
    });

  it('keeps the order of the request that took over a stalled key: the stalled request, finishing late, creates nothing', async () => {
    const [userId, key] = [randomUUID(), randomUUID()];
    expect(await keys.claim(userId, key, 'hash')).toEqual({ kind: 'claimed' });
    // The first request stalls; a minute later its retry finds the key abandoned and takes it over.
    await dataSource.query(`UPDATE idempotency_keys SET created_at = now() - interval '2 minutes' WHERE user_id = $1 AND key = $2`, [userId, key]);
    expect(await keys.takeOver(userId, key, 60_000)).toBe(true);
    const kept = await createOrder(userId, key);

    await expect(createOrder(userId, key)).rejects.toThrow('Another request with this Idempotency-Key has already created its order');
    expect(await keys.claim(userId, key, 'hash')).toMatchObject({ kind: 'existing', orderId: kept });
    const [{ orders }] = await dataSource.query(`SELECT count(*)::int AS orders FROM orders WHERE user_id = $1`, [userId]);
    expect(orders).toBe(1);
  });
});
