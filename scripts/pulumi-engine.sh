#!/usr/bin/env bash
# A working Pulumi engine for this project, on a machine that reaches only package registries:
# the Pulumi CLI, our Python language host, the kafka provider and our eventbus provider, built
# from the Go modules under go/ into a cache folder (release downloads are out of reach).
# See docs/local-environment.md, section "Pulumi engine".
#
#   scripts/pulumi-engine.sh [build]        ensure the engine (first run builds it, several minutes)
#   eval "$(scripts/pulumi-engine.sh env)"  export PATH and the PULUMI_* variables into this shell
#   scripts/pulumi-engine.sh path           print the bin dir to put on PATH
#   scripts/pulumi-engine.sh version        print the pinned and the installed versions
#   scripts/pulumi-engine.sh verify [--kafka|--no-kafka]
#                                           smoke test in a temp dir (scripts/pulumi-engine-smoke/)
#   scripts/pulumi-engine.sh kafka-schema   regenerate go/kafka/schema.json with the provider's tfgen
#
# Each program is rebuilt only when its folder under go/ (or a pin below) changes. Progress goes
# to stderr; `env` and `path` print only their result on stdout. Exit codes: 0 ok, 1 failure, 2 usage.
set -euo pipefail

# Pins. pyproject must match: pulumi==$PULUMI_VERSION and pulumi-kafka==$PULUMI_KAFKA_VERSION (the
# SDK asks for the kafka plugin at exactly that version); the program asks for the eventbus plugin
# at $EVENTBUS_PROVIDER_VERSION (eventbus.adapters.pulumi_program.provider.PROVIDER_VERSION).
# What each program is built from is in its go.mod.
PULUMI_VERSION=3.260.0
PULUMI_KAFKA_VERSION=3.13.0
EVENTBUS_PROVIDER_VERSION=0.1.0
PULUMI_MIN_VERSION="$PULUMI_VERSION"   # a pulumi already on PATH is used if same major and >= this
GO_TAGS=osusergo,grpcnotrace           # as the release build

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$SCRIPT_DIR/.." && pwd)"
GO_SRC="$REPO/go"
abspath() { case "$1" in /*) printf '%s' "$1" ;; *) printf '%s/%s' "$PWD" "$1" ;; esac; }
CACHE_ROOT="$(abspath "${EVENTBUS_CACHE:-$REPO/.cache}")"
VDIR="$CACHE_ROOT/pulumi/$PULUMI_VERSION"
BIN="$VDIR/bin"                   # pulumi, pulumi-language-python(-exec): goes on PATH
PLUGIN_DIR="$VDIR/plugins"        # provider plugins: installed with `pulumi plugin install`
LOG="$VDIR/build.log"
STAMP="$VDIR/.complete"
# The engine's home (plugins, stack selections): ours, in the cache, unless PULUMI_HOME is set.
# Its logs/ is /dev/null: the CLI's automatic debug log (JSON, compressed, encrypted) costs a third
# of the engine's CPU on a large deploy (EVENTBUS_PULUMI_LOGS=1 keeps it).
USER_PULUMI_HOME="${PULUMI_HOME:-}"
PULUMI_HOME_DIR="${PULUMI_HOME:-$VDIR/home}"
PLUGINS=("kafka:$PULUMI_KAFKA_VERSION" "eventbus:$EVENTBUS_PROVIDER_VERSION")
SDK_MODULE=github.com/pulumi/pulumi/sdk/v3
VERSION_VAR=$SDK_MODULE/go/common/version.Version

log() { printf '[pulumi] %s\n' "$*" >&2; }
die() { printf '[pulumi] ERROR: %s\n' "$*" >&2; exit 1; }
engine_env() { export PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true PULUMI_HOME="$PULUMI_HOME_DIR"; }
go_env() { export GOFLAGS="-buildvcs=false" GOTOOLCHAIN=local GOWORK=off; }

# What decides one program's build: its source folder and the pins. A change rebuilds it only.
fingerprint() {   # <folder under go/> <pins...>
    local dir="$1"; shift
    { printf '%s\n' "$@" "$GO_TAGS"
      (cd "$GO_SRC" && find "$dir" -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
    } | sha256sum | cut -c1-16
}
fp_engine()   { fingerprint engine "$PULUMI_VERSION"; }
fp_kafka()    { fingerprint kafka "$PULUMI_KAFKA_VERSION"; }
fp_eventbus() { fingerprint eventbus "$EVENTBUS_PROVIDER_VERSION"; }
fp_all()      { printf '%s %s %s' "$(fp_engine)" "$(fp_kafka)" "$(fp_eventbus)"; }
built() { [[ -f "$VDIR/.$1.stamp" && "$(cat "$VDIR/.$1.stamp")" == "$2" ]]; }   # <program> <fingerprint>

cache_complete() {
    [[ -f "$STAMP" && "$(cat "$STAMP")" == "$(fp_all)" && -x "$BIN/pulumi" && -x "$BIN/pulumi-language-python" \
        && -x "$BIN/pulumi-language-python-exec" && -x "$PLUGIN_DIR/pulumi-resource-kafka" && -x "$PLUGIN_DIR/pulumi-resource-eventbus" ]]
}

# ---------------------------------------------------------------------------------------------
# Building
# ---------------------------------------------------------------------------------------------
T0=0
step() { T0=$SECONDS; log "$*"; }
done_step() { log "  done in $((SECONDS - T0))s${1:+ ($1)}"; }
run() {   # a build command, output into the log; on failure show its tail
    if ! "$@" >>"$LOG" 2>&1; then
        tail -n 40 "$LOG" >&2
        die "failed: $* (full log: $LOG)"
    fi
}
gobuild() {   # <module folder> <output> <package> [ldflags]
    local out="$2"
    (cd "$GO_SRC/$1" && run go build -trimpath -tags "$GO_TAGS" -ldflags "-s -w ${4:-}" -o "$out.tmp" "$3")
    mv -f "$out.tmp" "$out"
}

build_engine() {
    local fp; fp="$(fp_engine)"
    built engine "$fp" && [[ -x "$BIN/pulumi" && -x "$BIN/pulumi-language-python" ]] && return 0
    local ldv="-X $VERSION_VAR=v$PULUMI_VERSION"
    step "building the Pulumi CLI $PULUMI_VERSION from Go modules (go/engine; first run takes several minutes)..."
    gobuild engine "$BIN/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi "$ldv"
    done_step "$("$BIN/pulumi" version)"
    step "building pulumi-language-python (go/engine/cmd/pulumi-language-python)..."
    gobuild engine "$BIN/pulumi-language-python" ./cmd/pulumi-language-python "$ldv -X main.version=$PULUMI_VERSION"
    local sdkdir; sdkdir="$(cd "$GO_SRC/engine" && go list -m -f '{{.Dir}}' "$SDK_MODULE")"
    install -m 755 "$sdkdir/python/cmd/pulumi-language-python-exec" "$BIN/pulumi-language-python-exec"
    done_step
    printf '%s\n' "$fp" > "$VDIR/.engine.stamp"
}

build_kafka() {
    local fp; fp="$(fp_kafka)"
    built kafka "$fp" && [[ -x "$PLUGIN_DIR/pulumi-resource-kafka" ]] && return 0
    step "building pulumi-resource-kafka $PULUMI_KAFKA_VERSION (go/kafka: Terraform provider + bridge; several minutes the first time)..."
    gobuild kafka "$PLUGIN_DIR/pulumi-resource-kafka" . "-X main.version=$PULUMI_KAFKA_VERSION"
    done_step "$("$PLUGIN_DIR/pulumi-resource-kafka" -version)"
    printf '%s\n' "$fp" > "$VDIR/.kafka.stamp"
}

build_eventbus() {
    local fp; fp="$(fp_eventbus)"
    built eventbus "$fp" && [[ -x "$PLUGIN_DIR/pulumi-resource-eventbus" ]] && return 0
    step "building pulumi-resource-eventbus $EVENTBUS_PROVIDER_VERSION (go/eventbus)..."
    gobuild eventbus "$PLUGIN_DIR/pulumi-resource-eventbus" . "-X main.version=$EVENTBUS_PROVIDER_VERSION"
    done_step
    printf '%s\n' "$fp" > "$VDIR/.eventbus.stamp"
}

build_all() {
    command -v go >/dev/null || die "go not found (Go 1.26 is needed once, to build the engine)"
    go_env
    mkdir -p "$BIN" "$PLUGIN_DIR"
    : > "$LOG"
    local started=$SECONDS
    log "building the Pulumi engine into $VDIR ($(go env GOVERSION); build log: $LOG)"
    rm -f "$STAMP"
    build_engine
    build_kafka
    build_eventbus
    fp_all > "$STAMP"
    log "engine built in $((SECONDS - started))s"
}

# Installed into PULUMI_HOME (what `pulumi plugin install` does), not put on PATH: a provider
# found on PATH is used whatever version the program asks for, with a warning on every run.
own_home() {
    [[ -n "$USER_PULUMI_HOME" ]] && return 0
    mkdir -p "$PULUMI_HOME_DIR"
    if [[ "${EVENTBUS_PULUMI_LOGS:-0}" == 1 ]]; then
        [[ -L "$PULUMI_HOME_DIR/logs" ]] && rm -f "$PULUMI_HOME_DIR/logs"
    elif [[ ! -L "$PULUMI_HOME_DIR/logs" ]]; then
        rm -rf "$PULUMI_HOME_DIR/logs"
        ln -s /dev/null "$PULUMI_HOME_DIR/logs"   # the CLI cannot create its log folder: no automatic log
    fi
}

install_plugins() {
    own_home
    local p name ver dir marker fp
    for p in "${PLUGINS[@]}"; do
        name="${p%%:*}" ver="${p#*:}"
        dir="$PULUMI_HOME_DIR/plugins/resource-$name-v$ver" marker="$dir/.eventbus-built"
        fp="$(cat "$VDIR/.$name.stamp")"
        if [[ -x "$dir/pulumi-resource-$name" ]]; then
            [[ "$name" == kafka && ! -f "$marker" ]] && continue   # someone else's kafka $ver: keep it
            [[ -f "$marker" && "$(cat "$marker")" == "$fp" ]] && continue
        fi
        log "installing the $name plugin $ver into $PULUMI_HOME_DIR/plugins"
        "$BIN/pulumi" plugin install resource "$name" "$ver" --reinstall --file "$PLUGIN_DIR/pulumi-resource-$name" >>"$LOG" 2>&1 \
            || { tail -n 20 "$LOG" >&2; die "pulumi plugin install $name failed (log: $LOG)"; }
        printf '%s\n' "$fp" > "$marker"
    done
}

# ---------------------------------------------------------------------------------------------
# Finding an engine
# ---------------------------------------------------------------------------------------------
version_ge() { [[ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n 1)" == "$2" ]]; }

# A pulumi on PATH (other than ours) with a compatible version, a Python host and both plugins.
path_engine() {
    local p dir v name
    p="$(command -v pulumi 2>/dev/null)" || return 1
    dir="$(cd "$(dirname "$p")" && pwd)"
    [[ "$dir" == "$BIN" ]] && return 1
    v="$(PULUMI_SKIP_UPDATE_CHECK=true "$p" version 2>/dev/null)" || return 1
    v="${v#v}"
    [[ "${v%%.*}" == "${PULUMI_MIN_VERSION%%.*}" ]] && version_ge "$v" "$PULUMI_MIN_VERSION" || return 1
    command -v pulumi-language-python >/dev/null 2>&1 || [[ -x "$dir/pulumi-language-python" ]] || return 1
    for name in kafka eventbus; do
        command -v "pulumi-resource-$name" >/dev/null 2>&1 || [[ -x "$dir/pulumi-resource-$name" ]] \
            || compgen -G "$PULUMI_HOME_DIR/plugins/resource-$name-v*/pulumi-resource-$name" >/dev/null || return 1
    done
    printf '%s' "$dir"
}

ENGINE_BIN=""
select_engine() {   # sets ENGINE_BIN; builds into the cache when needed
    engine_env
    if ! cache_complete && [[ "${EVENTBUS_PULUMI_FROM_PATH:-1}" == 1 ]] && ENGINE_BIN="$(path_engine)"; then
        log "using the Pulumi engine on PATH: $ENGINE_BIN"
        return 0
    fi
    cache_complete || build_all
    ENGINE_BIN="$BIN"
    install_plugins
}

# ---------------------------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------------------------
print_env() {   # with "always", print the PATH line even when the bin dir is already on PATH
    case ":$PATH:" in
        *":$ENGINE_BIN:"*) [[ "${1:-}" == always ]] && printf 'export PATH=%q:"$PATH"\n' "$ENGINE_BIN" ;;
        *) printf 'export PATH=%q:"$PATH"\n' "$ENGINE_BIN" ;;
    esac
    printf 'export PULUMI_SKIP_UPDATE_CHECK=true\n'
    printf 'export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true\n'
    printf 'export PULUMI_HOME=%q\n' "$PULUMI_HOME_DIR"
}

cmd_build() {
    select_engine
    log "Pulumi engine ready: $ENGINE_BIN (eval \"\$(scripts/pulumi-engine.sh env)\" to use it)"
}

module_version() { awk -v m="$2" '$1 == m { print $2; exit }' "$GO_SRC/$1/go.mod"; }

cmd_version() {
    echo "pins:             pulumi==$PULUMI_VERSION pulumi-kafka==$PULUMI_KAFKA_VERSION, eventbus provider $EVENTBUS_PROVIDER_VERSION"
    echo "kafka plugin src: github.com/Mongey/terraform-provider-kafka $(module_version kafka github.com/Mongey/terraform-provider-kafka)" \
         "+ pulumi-terraform-bridge $(module_version kafka github.com/pulumi/pulumi-terraform-bridge/v3) (go/kafka/go.mod)"
    local dir=""
    if cache_complete; then dir="$BIN"; elif dir="$(path_engine)"; then :; else dir=""; fi
    if [[ -z "$dir" ]]; then
        echo "engine:           not built yet (run: scripts/pulumi-engine.sh build)"
        return 0
    fi
    echo "pulumi:           $(PULUMI_SKIP_UPDATE_CHECK=true "$dir/pulumi" version) ($dir/pulumi)"
    local p name ver pdir
    for p in "${PLUGINS[@]}"; do
        name="${p%%:*}" ver="${p#*:}" pdir="$PULUMI_HOME_DIR/plugins/resource-$name-v$ver"
        if [[ -x "$pdir/pulumi-resource-$name" ]]; then echo "$name plugin:$(printf '%*s' $((11 - ${#name})) '')$ver ($pdir)"
        else echo "$name plugin:$(printf '%*s' $((11 - ${#name})) '')not installed yet (run: scripts/pulumi-engine.sh build)"; fi
    done
}

cmd_kafka_schema() {
    select_engine
    local tmp; tmp="$(mktemp -d)"
    step "regenerating go/kafka/schema.json and bridge-metadata.json with tfgen..."
    run "$PLUGIN_DIR/pulumi-resource-kafka" tfgen schema --out "$tmp"
    cp "$tmp/schema.json" "$tmp/bridge-metadata.json" "$GO_SRC/kafka/"
    rm -rf "$tmp"
    done_step "rebuild with: scripts/pulumi-engine.sh build"
}

# Smoke test in a temp dir (never in the repository): needs PyPI for the venv.
cmd_verify() {
    local want_kafka=auto smoke="$SCRIPT_DIR/pulumi-engine-smoke"
    case "${1:-}" in
        --kafka) want_kafka=yes ;; --no-kafka) want_kafka=no ;; "") ;;
        *) die "usage: $0 verify [--kafka|--no-kafka]" ;;
    esac
    select_engine
    export PATH="$ENGINE_BIN:$PATH"
    local tmp; tmp="$(mktemp -d "${TMPDIR:-/tmp}/pulumi-engine-verify.XXXXXX")"
    VERIFY_TMP="$tmp"
    trap cleanup_verify EXIT
    export PULUMI_BACKEND_URL="file://$tmp/state" PULUMI_CONFIG_PASSPHRASE=test
    mkdir -p "$tmp/state"

    step "creating a venv with pulumi==$PULUMI_VERSION pulumi-kafka==$PULUMI_KAFKA_VERSION..."
    python3 -m venv "$tmp/venv"
    "$tmp/venv/bin/pip" install -q --disable-pip-version-check "pulumi==$PULUMI_VERSION" "pulumi-kafka==$PULUMI_KAFKA_VERSION" >&2
    done_step

    project() {   # <name> <program folder>: a project in the temp dir running that program with the venv
        mkdir -p "$tmp/$1"
        cp "$smoke/$2/__main__.py" "$tmp/$1/"
        printf 'name: %s\nruntime:\n  name: python\n  options:\n    virtualenv: %s\n' "$1" "$tmp/venv" > "$tmp/$1/Pulumi.yaml"
    }
    project engine-smoke hello
    step "pulumi preview + up of a program that exports values..."
    (
        cd "$tmp/engine-smoke"
        pulumi stack init dev >&2
        pulumi config set who world >&2
        pulumi config set --secret token s3cr3t >&2
        pulumi preview >&2
        pulumi up --yes >&2
        [[ "$(pulumi stack output greeting)" == "hello world from dev" ]] || die "unexpected stack output"
    ) || die "smoke test failed"
    done_step "stack output greeting = hello world from dev"

    [[ "$want_kafka" == no ]] && { log "verify: OK"; return 0; }
    # a broker of its own (own state dir and ports), so a developer's broker is left alone
    export EVENTBUS_STATE="$tmp/kafka-state"
    export EVENTBUS_KAFKA_PORT="${EVENTBUS_PULUMI_VERIFY_KAFKA_PORT:-29092}"
    export EVENTBUS_KAFKA_CONTROLLER_PORT="${EVENTBUS_PULUMI_VERIFY_KAFKA_CONTROLLER_PORT:-29093}"
    step "starting a throwaway Kafka broker on 127.0.0.1:$EVENTBUS_KAFKA_PORT..."
    VERIFY_BROKER=1
    bash "$SCRIPT_DIR/kafka-broker.sh" start >&2 || die "kafka broker did not start"
    eval "$(bash "$SCRIPT_DIR/kafka-broker.sh" env)"
    done_step

    project engine-kafka-smoke topic
    step "kafka.Topic and eventbus:kafka:Principal: preview, up, update, no-change preview, destroy..."
    (
        cd "$tmp/engine-kafka-smoke"
        pulumi stack init dev >&2
        pulumi config set bootstrap "$KAFKA_BOOTSTRAP" >&2
        pulumi config set username "$KAFKA_ADMIN_USERNAME" >&2
        pulumi config set --secret password "$KAFKA_ADMIN_PASSWORD" >&2
        pulumi config set eventbusVersion "$EVENTBUS_PROVIDER_VERSION" >&2
        pulumi preview >&2
        pulumi up --yes >&2
        pulumi config set partitions 3 >&2
        pulumi up --yes >&2
        pulumi preview --expect-no-changes >&2
        pulumi destroy --yes >&2
    ) || die "kafka smoke test failed"
    done_step
    log "verify: OK"
}

VERIFY_TMP="" VERIFY_BROKER=0
cleanup_verify() {
    [[ "$VERIFY_BROKER" == 1 ]] && { bash "$SCRIPT_DIR/kafka-broker.sh" stop >&2 || true; }
    if [[ -n "$VERIFY_TMP" ]]; then
        rm -rf "$VERIFY_TMP"
        # the stack selections `pulumi stack init` recorded for the temp projects
        rm -f "$PULUMI_HOME_DIR"/workspaces/engine-smoke-*-workspace.json "$PULUMI_HOME_DIR"/workspaces/engine-kafka-smoke-*-workspace.json
    fi
}

usage() {
    cat >&2 <<EOF
usage: $0 [build|env|path|version|verify [--kafka|--no-kafka]|kafka-schema]
  build         ensure the engine (default); builds into $VDIR when go/ changed
  env           print shell exports: eval "\$($0 env)"
  path          print the bin dir to put on PATH
  version       print the pinned and the installed versions
  verify        smoke test in a temp dir (needs PyPI; starts its own Kafka broker)
  kafka-schema  regenerate go/kafka/schema.json and bridge-metadata.json
EOF
}

with_lock() {   # one build at a time per cache folder
    mkdir -p "$VDIR"
    exec 8>"$VDIR/.lock"
    flock 8
}

main() {
    local cmd="${1:-build}"
    [[ $# -gt 0 ]] && shift
    case "$cmd" in
        build)        with_lock; cmd_build ;;
        env)          with_lock; select_engine; print_env ;;
        path)         with_lock; select_engine; printf '%s\n' "$ENGINE_BIN" ;;
        version)      cmd_version ;;
        verify)       with_lock; cmd_verify "$@" ;;
        kafka-schema) with_lock; cmd_kafka_schema ;;
        -h|--help|help) usage ;;
        *) usage; exit 2 ;;
    esac
}

main "$@"
