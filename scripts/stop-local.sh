#!/usr/bin/env bash
# Stops every app started by start-local (SIGTERM, then SIGKILL after a grace period) and the local Kafka
# broker. PostgreSQL and RabbitMQ belong to the machine and are left running.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

stop_pid_file() {
  local name="$1" pid_file="$2" pid
  pid="$(cat "$pid_file")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    if kill -0 "$pid" 2>/dev/null; then
      say "$name did not stop within 10s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    say "stopped $name"
  fi
  rm -f "$pid_file"
}

shopt -s nullglob
for pid_file in "$LOCAL_DIR"/pids/*.pid; do
  stop_pid_file "$(basename "$pid_file" .pid)" "$pid_file" &
done
wait
if [ "${KEEP_KAFKA:-false}" != true ]; then bash "$ROOT/scripts/kafka-local.sh" stop; fi
say "nothing of the shop's is running"
