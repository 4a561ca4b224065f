import { Client, Pool } from 'pg';
import { DataSource } from 'typeorm';
import { databaseUnavailable, DependencyUnavailableError, isTransientFailure, toErrorBody } from '@shop/platform';
import { createTestDatabase, freePort, postgresUrl } from '@shop/testing';
import { afterFailure } from './failure-policy';

/**
 * Which real database failures a consumer waits out and a caller sees as 503 (platform's `isTransientFailure` and
 * `databaseUnavailable`): the errors node-postgres and TypeORM really throw, each provoked on the real server.
 */
async function failureOf(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected the work to fail');
}

const policy = { maxAttempts: 1, unavailableBudgetMs: 60_000 };

describe('database failures: waited out or counted', () => {
  let database: { url: string; drop: () => Promise<void> };
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase('transient_errors');
    dataSource = new DataSource({ type: 'postgres', url: database.url });
    await dataSource.initialize();
    await dataSource.query('CREATE TABLE things (id int PRIMARY KEY)');
    await dataSource.query('INSERT INTO things VALUES (1)');
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  const unavailable = (error: unknown): void => {
    expect(isTransientFailure(error)).toBe(true);
    expect(afterFailure(error, { attempts: 0, unavailableSince: undefined }, policy)).toMatchObject({ attempts: 0, deadLetter: false });
    expect(databaseUnavailable(error)).toBeInstanceOf(DependencyUnavailableError);
    expect(toErrorBody(error)).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      code: 'DEPENDENCY.UNAVAILABLE',
      message: 'database is unavailable: try again shortly',
    });
  };

  it('a connection refused', async () => {
    const pool = new Pool({ connectionString: `postgres://postgres@127.0.0.1:${await freePort()}/postgres` });
    try {
      unavailable(await failureOf(() => pool.query('SELECT 1')));
    } finally {
      await pool.end();
    }
  });

  it('a session terminated by the server (a restart, a fail-over)', async () => {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    client.on('error', () => undefined);
    const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    const admin = new Client({ connectionString: await postgresUrl() });
    await admin.connect();
    try {
      const running = failureOf(() => client.query('SELECT pg_sleep(5)'));
      await new Promise((resolve) => setTimeout(resolve, 200));
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      unavailable(await running);
      unavailable(await failureOf(() => client.query('SELECT 1')));
    } finally {
      await admin.end();
      await client.end().catch(() => undefined);
    }
  });

  it('a pool with no client free within its connection timeout', async () => {
    const pool = new Pool({ connectionString: database.url, max: 1, connectionTimeoutMillis: 100 });
    const held = await pool.connect();
    try {
      unavailable(await failureOf(() => pool.query('SELECT 1')));
    } finally {
      held.release();
      await pool.end();
    }
  });

  it('a statement timeout, through TypeORM', async () => {
    unavailable(
      await failureOf(() =>
        dataSource.transaction(async (manager) => {
          await manager.query("SET LOCAL statement_timeout = '50ms'");
          await manager.query('SELECT pg_sleep(1)');
        }),
      ),
    );
  });

  it('not a constraint violation or a bad statement: those stay 500 and count as failures of the message', async () => {
    for (const error of [await failureOf(() => dataSource.query('INSERT INTO things VALUES (1)')), await failureOf(() => dataSource.query('SELEC 1'))]) {
      expect(isTransientFailure(error)).toBe(false);
      expect(afterFailure(error, { attempts: 0, unavailableSince: undefined }, policy)).toMatchObject({ attempts: 1, deadLetter: true });
      expect(databaseUnavailable(error)).toBeUndefined();
      expect(toErrorBody(error).statusCode).toBe(500);
    }
  });
});
