// One database and one role per service. Each role owns only its own database, cannot log in to the others
// (CONNECT is revoked from PUBLIC), and has no superuser, createdb or createrole rights.
// The database URLs come from the *_DATABASE_URL variables, so they match what the services use.
// With --reset each database is dropped first (closing its connections), so the services' migrations start from an
// empty database and seed it again: CI does this, since a PostgreSQL that outlived an earlier run (its orders, a
// benchmark's restocked catalog) would change what the specs see. Stop the system before resetting.
import pg from 'pg';

const args = process.argv.slice(2);
const reset = args.includes('--reset');
const adminUrl = args.find((arg) => !arg.startsWith('--')) ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const services = ['user', 'order', 'inventory', 'payment', 'shipping', 'recommendation'];
const ident = (name) => `"${name.replace(/"/g, '""')}"`;
const literal = (value) => `'${value.replace(/'/g, "''")}'`;

const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
await admin.connect();
try {
  for (const service of services) {
    const variable = `${service.toUpperCase()}_DATABASE_URL`;
    const raw = process.env[variable];
    if (!raw) throw new Error(`${variable} is not set`);
    const url = new URL(raw);
    const role = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    const database = url.pathname.replace(/^\//, '');
    const { rowCount: roleExists } = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
    const passwordClause = password ? `PASSWORD ${literal(password)}` : '';
    await admin.query(
      `${roleExists ? 'ALTER' : 'CREATE'} ROLE ${ident(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION ${passwordClause}`,
    );
    if (reset) await admin.query(`DROP DATABASE IF EXISTS ${ident(database)} WITH (FORCE)`);
    const { rowCount: dbExists } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!dbExists) await admin.query(`CREATE DATABASE ${ident(database)} OWNER ${ident(role)}`);
    await admin.query(`REVOKE ALL ON DATABASE ${ident(database)} FROM PUBLIC`);
    await admin.query(`GRANT CONNECT, TEMPORARY ON DATABASE ${ident(database)} TO ${ident(role)}`);
    const db = new pg.Client({ connectionString: Object.assign(new URL(adminUrl), { pathname: `/${database}` }).toString() });
    await db.connect();
    await db.query(`ALTER SCHEMA public OWNER TO ${ident(role)}`);
    await db.query(`REVOKE ALL ON SCHEMA public FROM PUBLIC`);
    await db.end();
    console.log(`  ${service.padEnd(15)} database ${database}${reset ? ' (recreated empty)' : ''}, role ${role}`);
  }
  const { rows } = await admin.query(`SELECT setting FROM pg_settings WHERE name = 'autovacuum'`);
  if (rows[0]?.setting === 'off') {
    // Each saga step, stock move and outbox row updates or deletes rows; without autovacuum their dead versions stay
    // and the planner never gets statistics, so every run of the shop gets slower (docs/architecture.md).
    console.log(
      '  warning: autovacuum is off on this PostgreSQL server, so the shop\'s tables keep their dead rows and get no ' +
        'statistics as it runs. Turn it on (the default) with: ' +
        `psql ${adminUrl} -c "ALTER SYSTEM SET autovacuum = on" -c "SELECT pg_reload_conf()"`,
    );
  }
} finally {
  await admin.end();
}
