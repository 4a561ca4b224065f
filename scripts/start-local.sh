#!/usr/bin/env bash
# Runs the whole shop natively: infrastructure, migrations, then all seven apps as Node processes.
# Returns when every /health/ready answers 200, or fails naming the app that did not come up.
# Logs: .local/logs/<app>.log   pids: .local/pids/<app>.pid   stop with: npm run stop:local
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
use_node24
load_env
START_TIMEOUT="${START_TIMEOUT:-90}"
started_at=$SECONDS

[ -d "$ROOT/node_modules" ] || { say "installing dependencies (npm ci)"; (cd "$ROOT" && npm ci); }

bash "$ROOT/scripts/ensure-infra.sh"

say "building apps (cached by Nx)"
(cd "$ROOT" && NX_DAEMON=false NX_TUI=false NX_NO_CLOUD=true nx run-many -t build --outputStyle=static >"$LOCAL_DIR/build.log" 2>&1) \
  || { tail -n 40 "$LOCAL_DIR/build.log" >&2; fail "build failed (full log: .local/build.log)"; }

mkdir -p "$LOCAL_DIR/logs" "$LOCAL_DIR/pids"
for service in "${SERVICES[@]}"; do
  node "$ROOT/services/$service/dist/migrate.js" >>"$LOCAL_DIR/logs/$service-migrate.log" 2>&1 \
    || { tail -n 20 "$LOCAL_DIR/logs/$service-migrate.log" >&2; fail "migrations of $service failed"; }
done
say "migrations applied for: ${SERVICES[*]}"

for app in "${APPS[@]}"; do
  pid_file="$LOCAL_DIR/pids/$app.pid"
  if [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
    say "$app already running (pid $(cat "$pid_file"))"
    continue
  fi
  worker_port="$SHIPPING_WORKER_HTTP_PORT"
  [[ "$app" == shipping-worker-* ]] && worker_port="$(http_port "$app")"
  (cd "$ROOT" && SHIPPING_WORKER_HTTP_PORT="$worker_port" exec node "$(app_entry "$app")") >>"$LOCAL_DIR/logs/$app.log" 2>&1 &
  echo $! >"$pid_file"
  say "started $app (pid $!, port $(http_port "$app"))"
done

deadline=$((started_at + START_TIMEOUT))
for app in "${APPS[@]}"; do
  port="$(http_port "$app")"
  until curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$port/health/ready" 2>/dev/null; do
    if ! kill -0 "$(cat "$LOCAL_DIR/pids/$app.pid")" 2>/dev/null; then
      tail -n 20 "$LOCAL_DIR/logs/$app.log" >&2
      fail "$app exited during start-up (log: .local/logs/$app.log)"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      curl -sS --max-time 2 "http://127.0.0.1:$port/health/ready" >&2 || true
      echo >&2
      tail -n 20 "$LOCAL_DIR/logs/$app.log" >&2
      fail "$app was not ready on port $port within ${START_TIMEOUT}s (log: .local/logs/$app.log)"
    fi
    sleep 0.5
  done
  say "$app ready on http://127.0.0.1:$port"
done
say "all ${#APPS[@]} processes ready in $((SECONDS - started_at))s; the shop is at http://127.0.0.1:${GATEWAY_HTTP_PORT}"
