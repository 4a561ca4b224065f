import { spawnSync } from 'node:child_process';
import { createHash, createHmac, pbkdf2Sync, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Client } from 'pg';
import { parse } from 'yaml';
import { postgresUrl } from '@shop/testing';

// deploy/postgres/init-databases.sh is what the PostgreSQL container runs on its first start (compose and the k8s
// dev overlay). Here it runs against the real PostgreSQL with names of its own, then the result is inspected.
const root = resolve(__dirname, '../..');
const script = resolve(root, 'deploy/postgres/init-databases.sh');
const services = ['user', 'order', 'inventory', 'payment', 'shipping', 'recommendation'] as const;
const suffix = randomUUID().slice(0, 8);
const roleOf = (service: string) => `pkg_${suffix}_${service}`;
const databaseOf = (service: string) => `pkg_${suffix}_${service}_db`;
// A password with characters that must be percent-encoded in a URL.
const passwordOf = (service: string) => `pw@${service}/x%y`;

let adminUrl: string;

function runInitScript(): { status: number | null; stdout: string; stderr: string } {
  const admin = new URL(adminUrl);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    PGHOST: admin.hostname,
    PGPORT: admin.port || '5432',
    PGUSER: decodeURIComponent(admin.username || 'postgres'),
    PGPASSWORD: decodeURIComponent(admin.password),
    POSTGRES_USER: decodeURIComponent(admin.username || 'postgres'),
    POSTGRES_DB: admin.pathname.slice(1) || 'postgres',
  };
  for (const service of services) {
    env[`${service.toUpperCase()}_DATABASE_URL`] =
      `postgres://${roleOf(service)}:${encodeURIComponent(passwordOf(service))}@postgres:5432/${databaseOf(service)}`;
  }
  const result = spawnSync('bash', [script], { env, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

async function withAdmin<T>(database: string, use: (client: Client) => Promise<T>): Promise<T> {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  const client = new Client({ connectionString: url.toString(), connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** True when `password` matches the role's SCRAM-SHA-256 verifier (RFC 5802: StoredKey = H(HMAC(SaltedPassword, "Client Key"))). */
function scramMatches(verifier: string, password: string): boolean {
  const match = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):/.exec(verifier);
  if (!match) return false;
  const salted = pbkdf2Sync(password, Buffer.from(match[2], 'base64'), Number(match[1]), 32, 'sha256');
  const storedKey = createHash('sha256').update(createHmac('sha256', salted).update('Client Key').digest()).digest('base64');
  return storedKey === match[3];
}

beforeAll(async () => {
  adminUrl = await postgresUrl();
});

afterAll(async () => {
  await withAdmin('postgres', async (admin) => {
    for (const service of services) {
      await admin.query(`DROP DATABASE IF EXISTS "${databaseOf(service)}" WITH (FORCE)`);
      await admin.query(`DROP ROLE IF EXISTS "${roleOf(service)}"`);
    }
  });
});

describe('the PostgreSQL init script of compose and the k8s dev overlay', () => {
  it('creates one database per service, owned by its own role, and says so', () => {
    const result = runInitScript();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    for (const service of services) expect(result.stdout).toContain(`database ${databaseOf(service)}, role ${roleOf(service)}`);
  });

  it('gives each role login with the password of its URL, decoded, and no superuser, createdb or createrole rights', async () => {
    const roles = await withAdmin('postgres', (admin) =>
      admin.query<{ rolname: string; rolsuper: boolean; rolcreatedb: boolean; rolcreaterole: boolean; rolcanlogin: boolean; rolpassword: string }>(
        'SELECT rolname, rolsuper, rolcreatedb, rolcreaterole, rolcanlogin, rolpassword FROM pg_authid WHERE rolname = ANY($1)',
        [services.map(roleOf)],
      ),
    );
    expect(roles.rows).toHaveLength(services.length);
    for (const row of roles.rows) {
      expect(row).toMatchObject({ rolsuper: false, rolcreatedb: false, rolcreaterole: false, rolcanlogin: true });
      const service = services.find((candidate) => roleOf(candidate) === row.rolname) ?? '';
      expect(scramMatches(row.rolpassword, passwordOf(service))).toBe(true);
    }
  });

  it('makes each role the owner of its database and of its public schema, and nobody else may connect', async () => {
    for (const service of services) {
      const database = await withAdmin('postgres', (admin) =>
        admin.query<{ owner: string; acl: string }>('SELECT pg_get_userbyid(datdba) AS owner, datacl::text AS acl FROM pg_database WHERE datname = $1', [
          databaseOf(service),
        ]),
      );
      expect(database.rows[0].owner).toBe(roleOf(service));
      expect(database.rows[0].acl).not.toMatch(/(^|[{,])=/);
      const schema = await withAdmin(databaseOf(service), (admin) =>
        admin.query<{ owner: string }>("SELECT pg_get_userbyid(nspowner) AS owner FROM pg_namespace WHERE nspname = 'public'"),
      );
      expect(schema.rows[0].owner).toBe(roleOf(service));
    }
    const canConnect = await withAdmin('postgres', (admin) =>
      admin.query<{ own: boolean; other: boolean }>("SELECT has_database_privilege($1, $2, 'CONNECT') AS own, has_database_privilege($1, $3, 'CONNECT') AS other", [
        roleOf('order'),
        databaseOf('order'),
        databaseOf('payment'),
      ]),
    );
    expect(canConnect.rows[0]).toEqual({ own: true, other: false });
  });

  it('can run again on an initialised server without changing or dropping anything', async () => {
    await withAdmin(databaseOf('order'), (admin) => admin.query('CREATE TABLE kept (id int)'));
    const again = runInitScript();
    expect(again.status).toBe(0);
    const kept = await withAdmin(databaseOf('order'), (admin) => admin.query("SELECT to_regclass('public.kept') AS kept"));
    expect(kept.rows[0].kept).toBe('kept');
  });

  it('fails naming the variable when a database URL is missing', () => {
    const result = spawnSync('bash', [script], { env: { PATH: process.env.PATH }, encoding: 'utf8', timeout: 30_000 });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('USER_DATABASE_URL is not set');
  });

  it('is given by compose the same databases and roles as .env.example, with compose host names', () => {
    const compose = parse(readFileSync(resolve(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
      services: Record<string, { environment: Record<string, string> }>;
    };
    const example = Object.fromEntries(
      readFileSync(resolve(root, '.env.example'), 'utf8')
        .split('\n')
        .filter((line) => /^[A-Z_]+=/.test(line))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    for (const service of services) {
      const variable = `${service.toUpperCase()}_DATABASE_URL`;
      const local = new URL(example[variable]);
      const inCompose = new URL(compose.services.postgres.environment[variable]);
      expect({ user: inCompose.username, password: inCompose.password, database: inCompose.pathname, host: inCompose.hostname }).toEqual({
        user: local.username,
        password: local.password,
        database: local.pathname,
        host: 'postgres',
      });
    }
  });

  it('covers the same services as scripts/create-databases.mjs and is copied unchanged into the k8s dev overlay', () => {
    const native = readFileSync(resolve(root, 'scripts/create-databases.mjs'), 'utf8');
    const listed = /const services = \[([^\]]+)\]/.exec(native)?.[1].match(/'([a-z]+)'/g)?.map((name) => name.replace(/'/g, ''));
    expect(listed).toEqual([...services]);
    expect(readFileSync(script, 'utf8')).toContain(`SERVICES=(${services.join(' ')})`);
    expect(readFileSync(resolve(root, 'k8s/overlays/dev/postgres/init-databases.sh'), 'utf8')).toBe(readFileSync(script, 'utf8'));
  });
});
