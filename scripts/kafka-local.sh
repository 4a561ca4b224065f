#!/usr/bin/env bash
# A real, single-node Apache Kafka broker in KRaft mode, from Maven Central.
#
#   scripts/kafka-local.sh start    resolve jars (cached), format storage once, start, wait for produce+fetch
#   scripts/kafka-local.sh stop     stop the broker this script started
#   scripts/kafka-local.sh status   exit 0 when the broker answers produce and fetch
#
# Running `start` twice is harmless: a broker that already answers is left alone.
# Jars are cached outside git in ${SHOP_CACHE_DIR:-~/.cache/shop}; data and logs live in .local/kafka.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KAFKA_VERSION="${KAFKA_VERSION:-4.1.1}"
LOG4J_VERSION="${LOG4J_VERSION:-2.24.3}"
CACHE_DIR="${SHOP_CACHE_DIR:-$HOME/.cache/shop}/kafka-${KAFKA_VERSION}"
STATE_DIR="${KAFKA_STATE_DIR:-$ROOT/.local/kafka}"
HOST="127.0.0.1"
PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
PID_FILE="$STATE_DIR/kafka.pid"
LOG_FILE="$STATE_DIR/kafka.log"

log() { printf '[kafka] %s\n' "$*"; }

resolve_jars() {
  if [ -f "$CACHE_DIR/.complete" ]; then return; fi
  log "resolving Apache Kafka ${KAFKA_VERSION} and its dependencies from Maven Central (first run only)"
  mkdir -p "$CACHE_DIR"
  cat > "$CACHE_DIR/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>shop.local</groupId>
  <artifactId>kafka-broker</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>${KAFKA_VERSION}</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>${LOG4J_VERSION}</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j2-impl</artifactId><version>${LOG4J_VERSION}</version></dependency>
  </dependencies>
</project>
POM
  (cd "$CACHE_DIR" && mvn -B -q dependency:copy-dependencies -DoutputDirectory=libs -DincludeScope=runtime)
  touch "$CACHE_DIR/.complete"
}

answers() {
  # Produce one record and fetch it back: a listening port is not enough.
  node "$ROOT/scripts/kafka-probe.mjs" "$HOST:$PORT" >/dev/null 2>&1
}

port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

write_config() {
  mkdir -p "$STATE_DIR/data"
  cat > "$STATE_DIR/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@${HOST}:${CONTROLLER_PORT}
listeners=PLAINTEXT://${HOST}:${PORT},CONTROLLER://${HOST}:${CONTROLLER_PORT}
advertised.listeners=PLAINTEXT://${HOST}:${PORT}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=${STATE_DIR}/data
num.partitions=3
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
log.retention.hours=168
PROPS
  cat > "$STATE_DIR/log4j2.properties" <<'L4J'
status = warn
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = warn
rootLogger.appenderRef.stdout.ref = STDOUT
logger.kafka.name = kafka.server.KafkaRaftServer
logger.kafka.level = info
L4J
}

java_cp() { echo "$CACHE_DIR/libs/*"; }

format_storage() {
  if [ -f "$STATE_DIR/data/meta.properties" ]; then return; fi
  log "formatting KRaft storage in $STATE_DIR/data"
  local cluster_id
  cluster_id="$(java -cp "$(java_cp)" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)"
  java -Dlog4j2.configurationFile="$STATE_DIR/log4j2.properties" -cp "$(java_cp)" \
    kafka.tools.StorageTool format -t "$cluster_id" -c "$STATE_DIR/server.properties" >/dev/null
}

start() {
  if port_open "$PORT" && answers; then
    log "already running on $HOST:$PORT"
    return
  fi
  if port_open "$PORT"; then
    log "port $PORT is open but does not answer as Kafka yet; waiting for it"
  else
    resolve_jars
    write_config
    format_storage
    log "starting broker on $HOST:$PORT (log: $LOG_FILE)"
    nohup java -Xms256m -Xmx768m -XX:+UseG1GC \
      -Dlog4j2.configurationFile="$STATE_DIR/log4j2.properties" \
      -cp "$(java_cp)" kafka.Kafka "$STATE_DIR/server.properties" >"$LOG_FILE" 2>&1 &
    echo $! >"$PID_FILE"
  fi
  local deadline=$((SECONDS + ${KAFKA_START_TIMEOUT:-120}))
  until answers; do
    if [ -f "$PID_FILE" ] && ! kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
      log "broker exited during start-up; last lines of $LOG_FILE:"
      tail -n 30 "$LOG_FILE" >&2 || true
      exit 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      log "broker did not accept produce and fetch within ${KAFKA_START_TIMEOUT:-120}s"
      tail -n 30 "$LOG_FILE" >&2 || true
      exit 1
    fi
    sleep 1
  done
  log "ready: produce and fetch work on $HOST:$PORT"
}

stop() {
  if [ -f "$PID_FILE" ]; then
    local pid
    pid="$(cat "$PID_FILE")"
    if kill -0 "$pid" 2>/dev/null; then
      log "stopping broker (pid $pid)"
      kill -TERM "$pid"
      for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    fi
    rm -f "$PID_FILE"
  else
    log "not started by this script"
  fi
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) answers && log "answers on $HOST:$PORT" ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
