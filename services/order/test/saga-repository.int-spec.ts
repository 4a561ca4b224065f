import { randomUUID } from 'node:crypto';
import { type DataSource } from 'typeorm';
import { SagaLeaseLostError, SagaRepository } from '../src/infrastructure/persistence/saga.repository';
import { openOrderDatabase } from './order-database';

/** Who may start a saga, against real PostgreSQL: its creator at once, the poller only after the start grace. */
describe('saga repository', () => {
  let dataSource: DataSource;
  let closeDatabase: () => Promise<void>;
  let sagas: SagaRepository;

  beforeAll(async () => {
    ({ dataSource, close: closeDatabase } = await openOrderDatabase('order_sagas'));
    sagas = new SagaRepository(dataSource);
  });

  afterAll(async () => {
    await closeDatabase?.();
  });

  const newSaga = async (): Promise<string> => {
    const orderId = randomUUID();
    await dataSource.transaction(async (manager) => {
      await manager.query(`INSERT INTO orders (id, user_id, status, total_cents) VALUES ($1, $2, 'PENDING', 100)`, [orderId, randomUUID()]);
      await sagas.create(manager, orderId, 'place-order', new Date(Date.now() + 30_000));
    });
    return orderId;
  };

  it('keeps a new saga from the poller during the start grace, while its creator claims it at once, once', async () => {
    const orderId = await newSaga();
    expect(await sagas.due(100)).not.toContain(orderId);
    expect(await sagas.claim(orderId)).toBeUndefined();
    expect(await sagas.claim(orderId, { justCreated: true })).toMatchObject({ stepIndex: 0, attempts: 0 });
    // Leased now: neither a second start nor the poller takes it.
    expect(await sagas.claim(orderId, { justCreated: true })).toBeUndefined();
  });

  it('hands a new saga nobody started to the poller once the start grace has passed', async () => {
    const orderId = await newSaga();
    await dataSource.query(`UPDATE saga_instances SET next_attempt_at = now() - interval '1 millisecond' WHERE order_id = $1`, [orderId]);
    expect(await sagas.due(100)).toContain(orderId);
    expect(await sagas.claim(orderId)).toMatchObject({ stepIndex: 0 });
  });

  it('never lets the creator path start a saga that has already run a step', async () => {
    const orderId = await newSaga();
    const claimed = await sagas.claim(orderId, { justCreated: true });
    await sagas.save(orderId, claimed!.lease, { ...claimed!, stepIndex: 1 }, { delayMs: 60_000 });
    expect(await sagas.claim(orderId, { justCreated: true })).toBeUndefined();
  });

  it('lets only the run holding the lease save: a run that outlived its lease, taken over meanwhile, changes nothing', async () => {
    const orderId = await newSaga();
    const first = await sagas.claim(orderId, { justCreated: true });
    // The first run pauses past its lease; the poller hands the saga to a second run, which makes progress.
    await dataSource.query(
      `UPDATE saga_instances SET lease_until = now() - interval '1 millisecond', next_attempt_at = now() - interval '1 millisecond' WHERE order_id = $1`,
      [orderId],
    );
    const second = await sagas.claim(orderId);
    expect(second).toMatchObject({ stepIndex: 0 });
    await sagas.save(orderId, second!.lease, { ...second!, stepIndex: 1 });

    // The first run wakes up and saves what it did: refused, and in a transaction, its other changes roll back too.
    await expect(sagas.save(orderId, first!.lease, { ...first!, stepIndex: 2 })).rejects.toBeInstanceOf(SagaLeaseLostError);
    await expect(
      dataSource.transaction(async (manager) => {
        await manager.query(`UPDATE orders SET status = 'CANCELLED' WHERE id = $1`, [orderId]);
        await sagas.save(orderId, first!.lease, { ...first!, status: 'COMPENSATING', reason: 'PAYMENT_UNAVAILABLE' }, { manager });
      }),
    ).rejects.toBeInstanceOf(SagaLeaseLostError);
    const [row] = await dataSource.query(
      `SELECT s.status, s.step_index, o.status AS order_status FROM saga_instances s JOIN orders o ON o.id = s.order_id WHERE s.order_id = $1`,
      [orderId],
    );
    expect(row).toEqual({ status: 'RUNNING', step_index: 1, order_status: 'PENDING' });
  });
});
