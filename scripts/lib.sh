# Shared by the scripts in this folder: sourced, never run.
# shellcheck shell=bash
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCAL_DIR="$ROOT/.local"
SERVICES=(user inventory payment order shipping recommendation)
APPS=("${SERVICES[@]}" gateway)

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

app_dir() { if [ "$1" = gateway ]; then echo "$ROOT/gateway"; else echo "$ROOT/services/$1"; fi; }

http_port() {
  local var
  var="$(echo "$1" | tr '[:lower:]' '[:upper:]')_HTTP_PORT"
  echo "${!var}"
}
