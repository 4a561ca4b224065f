# Shared by the scripts in this folder: sourced, never run.
# shellcheck shell=bash
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCAL_DIR="$ROOT/.local"
SERVICES=(user inventory payment order shipping recommendation)
# Competing shipping queue workers: separate processes of services/shipping/dist/worker.js, each with its own HTTP port.
WORKERS=(shipping-worker-1 shipping-worker-2)
APPS=("${SERVICES[@]}" gateway "${WORKERS[@]}")

say() { printf '\033[1m[%s]\033[0m %s\n' "$(basename "$0" .sh)" "$*"; }
fail() { printf '\033[31m[%s] %s\033[0m\n' "$(basename "$0" .sh)" "$*" >&2; exit 1; }

# Node 24 first on PATH: `npm ci` installs it from the registry (devDependency "node"), so a machine
# whose own node is older still runs everything on 24.
use_node24() {
  export PATH="$ROOT/node_modules/.bin:$PATH"
  local major
  major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
  [ "$major" -ge 24 ] || fail "Node 24 is required (found $(node -v 2>/dev/null || echo none)); run 'npm ci' first"
}

# Loads .env (or .env.example) into the environment, without overriding variables already set.
load_env() {
  local file="$ROOT/.env"
  [ -f "$file" ] || file="$ROOT/.env.example"
  local line key
  while IFS= read -r line || [ -n "$line" ]; do
    [[ "$line" =~ ^[A-Z_][A-Z0-9_]*= ]] || continue
    key="${line%%=*}"
    [ -n "${!key+x}" ] || export "$line"
  done <"$file"
}

app_entry() {
  case "$1" in
    gateway) echo "$ROOT/gateway/dist/main.js" ;;
    shipping-worker-*) echo "$ROOT/services/shipping/dist/worker.js" ;;
    *) echo "$ROOT/services/$1/dist/main.js" ;;
  esac
}

http_port() {
  case "$1" in
    shipping-worker-1) echo "${SHIPPING_WORKER_HTTP_PORT:-3015}" ;;
    shipping-worker-2) echo "$(( ${SHIPPING_WORKER_HTTP_PORT:-3015} + 1 ))" ;;
    *)
      local var
      var="$(echo "$1" | tr '[:lower:]' '[:upper:]')_HTTP_PORT"
      echo "${!var}"
      ;;
  esac
}
