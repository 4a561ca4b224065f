import { randomUUID } from 'node:crypto';
import { DataSource, type MigrationInterface, type QueryRunner } from 'typeorm';
import { createLogger, runMigrations } from '@shop/platform';
import { createTestDatabase } from '@shop/testing';
import { envelope } from '../envelope';
import { addInboxHandledAtIndexV2, createInboxTableV1 } from '../outbox/outbox.schema';
import { handleOnce } from './inbox';
import { InboxPruner } from './inbox-pruner';

class Schema1700000000000 implements MigrationInterface {
  name = 'Schema1700000000000';
  async up(queryRunner: QueryRunner): Promise<void> {
    await createInboxTableV1(queryRunner);
    await addInboxHandledAtIndexV2(queryRunner);
    await queryRunner.query(`CREATE TABLE counters (name text PRIMARY KEY, value int NOT NULL)`);
    await queryRunner.query(`INSERT INTO counters VALUES ('deposits', 0)`);
  }
  async down(): Promise<void> {}
}

describe('inbox', () => {
  let database: { url: string; drop: () => Promise<void> };
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase('inbox');
    await runMigrations({ url: database.url, applicationName: 'inbox-spec', migrations: [Schema1700000000000] });
    dataSource = new DataSource({ type: 'postgres', url: database.url, extra: { max: 20 } });
    await dataSource.initialize();
  });

  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
  });

  const counter = async (): Promise<number> => (await dataSource.query(`SELECT value FROM counters WHERE name = 'deposits'`))[0].value;
  const increment = (manager: { query: (sql: string) => Promise<unknown> }): Promise<unknown> =>
    manager.query(`UPDATE counters SET value = value + 1 WHERE name = 'deposits'`);

  it('applies a message once when it is delivered twice, and once when ten copies arrive at the same time', async () => {
    const before = await counter();
    const message = envelope('wallet.deposit.v1', { amount: 1 }, { correlationId: randomUUID() });
    expect(await handleOnce(dataSource, 'spec', message, async (m) => void (await increment(m)))).toBe('handled');
    expect(await handleOnce(dataSource, 'spec', message, async (m) => void (await increment(m)))).toBe('duplicate');

    const burst = envelope('wallet.deposit.v1', { amount: 1 }, { correlationId: randomUUID() });
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => handleOnce(dataSource, 'spec', burst, async (m) => void (await increment(m)))));
    expect(outcomes.filter((o) => o === 'handled')).toHaveLength(1);
    expect(await counter()).toBe(before + 2);
  });

  it('records nothing when the effect fails, so the redelivered message is handled then', async () => {
    const before = await counter();
    const message = envelope('wallet.deposit.v1', { amount: 1 }, { correlationId: randomUUID() });
    await expect(handleOnce(dataSource, 'spec', message, async () => { throw new Error('database hiccup'); })).rejects.toThrow('database hiccup');
    expect(await handleOnce(dataSource, 'spec', message, async (m) => void (await increment(m)))).toBe('handled');
    expect(await counter()).toBe(before + 1);
  });

  it('lets two consumers each handle the same message once', async () => {
    const message = envelope('order.placed.v1', {}, { correlationId: randomUUID() });
    expect(await handleOnce(dataSource, 'read-model', message, async () => undefined)).toBe('handled');
    expect(await handleOnce(dataSource, 'recommendation', message, async () => undefined)).toBe('handled');
  });

  it('prunes the rows past their retention a batch at a time, and still refuses a recent duplicate', async () => {
    const old = Array.from({ length: 7 }, () => envelope('order.placed.v1', {}, { correlationId: randomUUID() }));
    const recent = envelope('order.placed.v1', {}, { correlationId: randomUUID() });
    for (const message of [...old, recent]) await handleOnce(dataSource, 'pruning-spec', message, async () => undefined);
    await dataSource.query(`UPDATE inbox SET handled_at = now() - interval '9 days' WHERE message_id = ANY($1)`, [old.map((m) => m.id)]);
    const retained = async (): Promise<string[]> =>
      (await dataSource.query(`SELECT message_id FROM inbox WHERE consumer = 'pruning-spec'`)).map((row: { message_id: string }) => row.message_id);

    // Eight days of retention, three rows per statement: three statements delete the seven old rows.
    const statements: string[] = [];
    const query = dataSource.query.bind(dataSource);
    const counting = Object.create(dataSource, {
      query: { value: (sql: string, parameters?: unknown[]) => (statements.push(sql), query(sql, parameters)) },
    }) as DataSource;
    const pruner = new InboxPruner(counting, createLogger('spec', 'silent'), { service: 'spec', batchSize: 3 });
    expect(await pruner.prune()).toBe(7);
    expect(statements).toHaveLength(3);
    expect(await retained()).toEqual([recent.id]);
    expect(await pruner.prune()).toBe(0);
    expect(await handleOnce(dataSource, 'pruning-spec', recent, async () => undefined)).toBe('duplicate');
  });
});
