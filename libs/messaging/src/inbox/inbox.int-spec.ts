import { randomUUID } from 'node:crypto';
import { DataSource, type MigrationInterface, type QueryRunner } from 'typeorm';
import { runMigrations } from '@shop/platform';
import { createTestDatabase } from '@shop/testing';
import { envelope } from '../envelope';
import { createInboxTableV1 } from '../outbox/outbox.schema';
import { handleOnce } from './inbox';

class Schema1700000000000 implements MigrationInterface {
  name = 'Schema1700000000000';
  async up(queryRunner: QueryRunner): Promise<void> {
    await createInboxTableV1(queryRunner);
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
});
