#!/usr/bin/env bash
# Validates the Docker and Kubernetes packaging without a container engine or a cluster; exits non-zero on any
# failure and prints what it checked:
#   1. docker-compose.yml parses and is a valid compose file (`docker-compose config -q`, Debian's docker-compose;
#      installed with apt-get when missing and running as root), and so is it with docker-compose.observability.yml;
#   2. every kustomize overlay renders with the real kubectl and every object is valid (scripts/validate-k8s.mjs);
#   3. parity (scripts/parity-check.mjs): each app accepts exactly the environment compose and k8s give it, then
#      every app runs natively with compose's environment and a smoke passes through the gateway.
#
# Usage: scripts/validate-packaging.sh [--static]   (--static: skip the native run of step 3, which needs
#        PostgreSQL, RabbitMQ and Kafka, and the standard ports free)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
use_node24
cd "$ROOT"

static=""
for arg in "$@"; do
  case "$arg" in
    --static) static="--static" ;;
    *) fail "unknown argument $arg (usage: scripts/validate-packaging.sh [--static])" ;;
  esac
done

say "1/3 docker-compose.yml: docker-compose config -q"
if ! command -v docker-compose >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing Debian's docker-compose"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null
  else
    fail "docker-compose is not installed; install Debian's docker-compose package (apt-get install docker-compose)"
  fi
fi
docker-compose --file docker-compose.yml --project-directory "$ROOT" config -q \
  || fail "docker-compose.yml is not a valid compose file"
say "docker-compose.yml is valid ($(docker-compose --file docker-compose.yml config --services | wc -l) services)"
docker-compose --file docker-compose.yml --file docker-compose.observability.yml --project-directory "$ROOT" config -q \
  || fail "docker-compose.yml with docker-compose.observability.yml is not a valid compose file"
say "docker-compose.observability.yml is a valid override (collector, Jaeger, Prometheus, Grafana)"

say "2/3 k8s: kubectl kustomize of base and overlays, schemas, fields, references"
node scripts/validate-k8s.mjs || fail "k8s validation failed"

say "3/3 parity of compose and k8s with the apps' config${static:+ (static only)}"
node scripts/parity-check.mjs $static || fail "parity check failed"

say "packaging valid"
