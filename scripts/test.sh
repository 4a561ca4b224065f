#!/usr/bin/env bash
# The project's whole test run, as CI runs it: generate, lint (code and proto), type-check and build,
# make sure PostgreSQL, RabbitMQ and Kafka answer, then unit, integration and end-to-end specs.
# Pass jest arguments to narrow it, e.g. `npm test -- services/order` (a path filter applies to both runs).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
use_node24
# The end-to-end system keeps the saga deadline and breaker wait of .env / .env.example (30 s, 5 s): a first start on a
# fresh broker can take several seconds before every consumer group has its partitions, and a shorter deadline would
# cancel the first choreographed orders. Set ORDER_SAGA_DEADLINE_MS / ORDER_BREAKER_HALF_OPEN_MS to try others.
load_env
export NX_DAEMON=false NX_TUI=false NX_NO_CLOUD=true
cd "$ROOT"

say "generating gRPC code and linting the protos"
nx run-many -t generate,lint-proto --outputStyle=static >/dev/null
say "linting"
eslint .
say "type-checking and building every app, and type-checking the specs"
nx run-many -t build --outputStyle=static >/dev/null
tsc -p tsconfig.spec.json

bash "$ROOT/scripts/ensure-infra.sh"
export TEST_POSTGRES_URL="${TEST_POSTGRES_URL:-${POSTGRES_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}}"
export TEST_RABBITMQ_URL="${TEST_RABBITMQ_URL:-$RABBITMQ_URL}"
export TEST_KAFKA_BROKERS="${TEST_KAFKA_BROKERS:-$KAFKA_BROKERS}"

export NODE_OPTIONS="--experimental-vm-modules --no-warnings=ExperimentalWarning"

# Integration specs publish to the shared topics; a running system's consumer groups would react to them too.
# So they run first, with no system up (unless a developer left one running: then say so).
if curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:${GATEWAY_HTTP_PORT}/health" 2>/dev/null; then
  say "note: a system is running on port ${GATEWAY_HTTP_PORT}; its consumers will see the integration specs' events"
fi
say "running unit and integration specs"
jest "$@" --runInBand --passWithNoTests --selectProjects unit integration

# End-to-end specs drive the running system through the gateway; start it here (with the fault switches on) unless one is already up, and stop what was started here at the end.
# The failure scenarios slow payment and inventory down through their fault switches (PUT /admin/chaos).
export CHAOS_ENABLED="${CHAOS_ENABLED:-true}"
# The apps export their spans to the OTLP/HTTP receiver that test/e2e/observability.e2e-spec.ts runs on this port,
# every 200 ms so the spec need not wait long for a trace.
export OTEL_EXPORTER_OTLP_ENDPOINT="${OTEL_EXPORTER_OTLP_ENDPOINT:-http://127.0.0.1:4318}" OTEL_BSP_SCHEDULE_DELAY="${OTEL_BSP_SCHEDULE_DELAY:-200}"
started_here=false
if ! curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:${GATEWAY_HTTP_PORT}/health/ready" 2>/dev/null; then
  bash "$ROOT/scripts/start-local.sh"
  started_here=true
fi
trap 'if $started_here; then KEEP_KAFKA=true bash "$ROOT/scripts/stop-local.sh" >/dev/null; fi' EXIT

# The integration specs left events on the shared topics; the system works through them before the first order.
node "$ROOT/scripts/wait-consumers-drained.mjs"
say "running end-to-end specs"
jest "$@" --runInBand --passWithNoTests --selectProjects e2e

# The pattern demos (npm run demo) against the same running system: each drives it through the public API, prints its
# evidence step by step and exits 1 when the system does not show it. A run narrowed by a path filter skips them.
if [ "$#" -eq 0 ]; then
  say "running the pattern demos"
  node scripts/demo.mjs all
fi
