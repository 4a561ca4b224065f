// What the Node scripts share (the shell scripts share scripts/lib.sh): the local environment file, a free port, a
// database of its own for a benchmark run, and a process's CPU time from /proc. Node built-ins only at load time (the
// demos import it and may run where only Node is installed); pg is loaded by the one function that needs it.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The `KEY=value` lines of an env file (comments, blank lines and anything else skipped; the value is the rest of the
 * line, as is), the way `kubectl create secret --from-env-file` and `npm run start:local` read them.
 */
export function readEnvFile(file) {
  const values = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (match) values[match[1]] = match[2];
  }
  return values;
}

/**
 * The variables of .env, else of .env.example: what `npm run start:local` gives the apps. This process's own
 * environment is not merged in; each caller says what overrides what.
 */
export function localEnvFile() {
  return readEnvFile(resolve(ROOT, existsSync(resolve(ROOT, '.env')) ? '.env' : '.env.example'));
}

/** The PostgreSQL superuser's URL a benchmark creates its databases with. */
export const ADMIN_POSTGRES_URL =
  process.env.BENCH_POSTGRES_URL ?? process.env.POSTGRES_ADMIN_URL ?? process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A positive integer setting from the environment, or `fallback`; anything else stops the script, naming it. */
export function positiveIntEnv(name, fallback) {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  return value;
}

/** A TCP port free on 127.0.0.1 at the moment of asking. */
export function freePort() {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePromise(port));
    });
  });
}

/**
 * A database of its own for one benchmark run, named `<prefix>_<pid>_<time>`, created through the admin URL; `drop()`
 * removes it (and ends any connection still open to it).
 */
export async function scratchDatabase(prefix, adminUrl = ADMIN_POSTGRES_URL) {
  const { default: pg } = await import('pg');
  const name = `${prefix}_${process.pid}_${Date.now().toString(36)}`;
  const asAdmin = async (sql) => {
    const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await asAdmin(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { name, url: url.toString(), drop: () => asAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/** Clock ticks a second, the unit of the CPU times in /proc. */
export const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim() || 100);

/** utime + stime, in clock ticks, from a /proc/<pid>/stat or /proc/<pid>/task/<tid>/stat file (fields 14 and 15). */
export function cpuTicksOf(statPath) {
  const stat = readFileSync(statPath, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** CPU time (user + system) a process has used so far, in milliseconds. */
export function cpuMs(pid) {
  return (cpuTicksOf(`/proc/${pid}/stat`) * 1000) / CLOCK_TICKS;
}
