#!/usr/bin/env bash
# One database and one least-privilege role per service, for the PostgreSQL container (docker-compose.yml mounts
# this file into /docker-entrypoint-initdb.d; k8s/overlays/dev carries an identical copy as a ConfigMap).
# It mirrors scripts/create-databases.mjs: names and passwords come from the same *_DATABASE_URL variables the
# services get, each role owns only its database, CONNECT is revoked from everyone else, and no role has superuser,
# createdb or createrole rights. Safe to run again: existing roles get their password reset, nothing is dropped.
#
# The official image runs it once, on an empty data directory, as the superuser over the local socket. Outside the
# container the usual libpq variables (PGHOST, PGPORT, PGUSER) say where to connect.
set -euo pipefail

SERVICES=(user order inventory payment shipping recommendation)
ADMIN_USER="${POSTGRES_USER:-${PGUSER:-postgres}}"
ADMIN_DB="${POSTGRES_DB:-postgres}"

# %xx escapes in a URL's user or password, decoded as create-databases.mjs does with decodeURIComponent.
url_decode() { local value="${1//\\/\\\\}"; printf '%b' "${value//%/\\x}"; }

admin_psql() { psql -v ON_ERROR_STOP=1 --no-psqlrc --quiet --username "$ADMIN_USER" "$@"; }

for service in "${SERVICES[@]}"; do
  variable="$(printf '%s' "$service" | tr '[:lower:]' '[:upper:]')_DATABASE_URL"
  url="${!variable:-}"
  if [ -z "$url" ]; then
    echo "init-databases: $variable is not set" >&2
    exit 1
  fi
  if [[ ! "$url" =~ ^postgres(ql)?://([^:@/]+)(:([^@/]*))?@[^/]+/([^/?]+) ]]; then
    echo "init-databases: $variable is not a postgres://role:password@host/database URL" >&2
    exit 1
  fi
  role="$(url_decode "${BASH_REMATCH[2]}")"
  password="$(url_decode "${BASH_REMATCH[4]}")"
  database="$(url_decode "${BASH_REMATCH[5]}")"

  # psql variables (:'x' literal, :"x" identifier) quote every name and the password; \gexec runs the built statement.
  admin_psql --dbname "$ADMIN_DB" -v role="$role" -v password="$password" -v database="$database" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION', :'role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('ALTER ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD %L', :'role', NULLIF(:'password', '')) \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'database', :'role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'database') \gexec
REVOKE ALL ON DATABASE :"database" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"database" TO :"role";
SQL
  admin_psql --dbname "$database" -v role="$role" <<'SQL'
ALTER SCHEMA public OWNER TO :"role";
REVOKE ALL ON SCHEMA public FROM PUBLIC;
SQL
  printf '  %-15s database %s, role %s\n' "$service" "$database" "$role"
done
