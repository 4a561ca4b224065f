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

# The gRPC ports (50051-50056) lie inside Linux's ephemeral range (32768-60999): an outgoing connection (a service's
# own pool to PostgreSQL, Kafka or RabbitMQ) can be given one of them as its local port just before the service binds
# it, and the service then fails with EADDRINUSE. Reserving them keeps the kernel from handing them out. The
# reservation is added to whatever is reserved already; without the right to write it, this says how to do it.
# (LOCAL_PORT_RANGE_FILE and RESERVED_PORTS_FILE stand in for the two /proc files in test/reserve-ports.spec.ts.)
reserve_service_ports() {
  local range="${LOCAL_PORT_RANGE_FILE:-/proc/sys/net/ipv4/ip_local_port_range}"
  local reserved="${RESERVED_PORTS_FILE:-/proc/sys/net/ipv4/ip_local_reserved_ports}"
  [ -r "$range" ] && [ -r "$reserved" ] || return 0
  local low high current app name port entry a b taken missing=()
  read -r low high <"$range"
  current="$(cat "$reserved")"
  for app in "${APPS[@]}"; do
    name="$(echo "$app" | tr '[:lower:]-' '[:upper:]_')_GRPC_PORT"
    for port in "$(http_port "$app")" "${!name:-}"; do
      [[ "$port" =~ ^[0-9]+$ ]] && [ "$port" -ge "$low" ] && [ "$port" -le "$high" ] || continue
      taken=false
      for entry in ${current//,/ }; do
        a="${entry%-*}" b="${entry#*-}"
        if [ "$port" -ge "$a" ] && [ "$port" -le "$b" ]; then taken=true; fi
      done
      $taken || missing+=("$port")
    done
  done
  [ "${#missing[@]}" -gt 0 ] || return 0
  local next
  next="$(IFS=,; echo "${current:+$current,}${missing[*]}")"
  if [ -w "$reserved" ] && echo "$next" >"$reserved" 2>/dev/null; then
    say "reserved ports ${missing[*]} (inside the ephemeral range $low-$high) so no outgoing connection takes them"
  else
    say "warning: ports ${missing[*]} lie in the ephemeral range $low-$high; a service may rarely fail to bind one"
    say "         (an outgoing connection took it). To prevent it: sudo sysctl -w net.ipv4.ip_local_reserved_ports=$next"
  fi
}
