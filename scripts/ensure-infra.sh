#!/usr/bin/env bash
# Makes sure PostgreSQL, RabbitMQ and Kafka answer on 127.0.0.1, starting the ones installed here and stopped,
# and creates one database and one least-privilege role per service. Safe to run again.
# RESET_DATABASES=true drops the shop's databases first, so they start empty and freshly seeded (CI sets it).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
use_node24
load_env

PGADMIN_URL="${POSTGRES_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}"

reserve_service_ports

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
  local name="$1" port="$2" timeout="${3:-60}"
  local deadline=$((SECONDS + timeout))
  until port_open "$port"; do
    [ "$SECONDS" -lt "$deadline" ] || fail "$name did not open port $port within ${timeout}s"
    sleep 1
  done
}

if ! port_open 5432; then
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    say "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
  else
    fail "PostgreSQL is not running on 127.0.0.1:5432 and is not installed here; start it or set POSTGRES_ADMIN_URL"
  fi
fi
wait_port PostgreSQL 5432
say "PostgreSQL answers on 127.0.0.1:5432"

if ! port_open 5672; then
  if command -v rabbitmq-server >/dev/null; then
    say "starting RabbitMQ"
    rabbitmq-server -detached
  else
    fail "RabbitMQ is not running on 127.0.0.1:5672 and is not installed here; start it"
  fi
fi
wait_port RabbitMQ 5672 90
say "RabbitMQ answers on 127.0.0.1:5672"

if [ "${RESET_DATABASES:-false}" = true ]; then
  say "recreating the per-service databases empty, and their roles"
  node "$ROOT/scripts/create-databases.mjs" "$PGADMIN_URL" --reset
else
  say "creating per-service databases and roles"
  node "$ROOT/scripts/create-databases.mjs" "$PGADMIN_URL"
fi

(cd "$ROOT" && node scripts/dev-keys.mjs)

bash "$ROOT/scripts/kafka-local.sh" start
