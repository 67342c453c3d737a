# shellcheck shell=bash disable=SC2034  # the variables are for the scripts that source this file
# Shared by scripts/ci/*.sh (sourced, never run on its own).
#
# Every command a GitHub workflow runs lives in scripts/ci/, and the test suite runs these same
# scripts (tests/workflows/), so the workflows cannot drift from what is tested.
#
# Environment (all optional):
#   EVENTBUS_ROOT     registry tree to work on (default: this repository)
#   EVENTBUS_CI_OUT   where reports go (default: <root>/out, git-ignored)
#   EVENTBUS          the eventbus command (default: .venv/bin/eventbus)
#   GITHUB_OUTPUT, GITHUB_STEP_SUMMARY   set by GitHub Actions; ignored elsewhere
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ROOT="$(cd "${EVENTBUS_ROOT:-$REPO}" && pwd)"
export EVENTBUS_ROOT="$ROOT"
EVENTBUS="${EVENTBUS:-$REPO/.venv/bin/eventbus}"
PYTHON="${EVENTBUS_PYTHON:-$REPO/.venv/bin/python}"
OUT="${EVENTBUS_CI_OUT:-$ROOT/out}"
PLAN_MARKER='<!-- eventbus-plan -->'
DRIFT_MARKER='<!-- eventbus-drift -->'
BOT_LOGIN="${EVENTBUS_CI_BOT_LOGIN:-github-actions[bot]}"   # author of the comments and issues we maintain

log() { printf '[ci] %s\n' "$*" >&2; }
die() { printf '[ci] ERROR: %s\n' "$*" >&2; exit 1; }

# A git ref given on the command line: never an option (git would read "-x" as one).
check_ref() {
    [[ -n "$1" && "$1" != -* && "$1" =~ ^[A-Za-z0-9._/~^@{}-]+$ ]] || die "not a git ref: '$1'"
}

# A stack name that has a Pulumi.<stack>.yaml.
check_stack() {
    [[ "$1" =~ ^[a-z][a-z0-9-]{0,39}$ ]] || die "not a stack name: '$1'"
    [[ -f "$ROOT/Pulumi.$1.yaml" ]] || die "no Pulumi.$1.yaml in $ROOT"
}

# The merge base of a ref and HEAD (what a pull request is compared with).
merge_base() {
    check_ref "$1"
    git -C "$ROOT" merge-base "$1" HEAD 2>/dev/null
}

# Markdown for the job summary page (no-op outside Actions).
summary() {
    if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then cat >> "$GITHUB_STEP_SUMMARY"; else cat > /dev/null; fi
}

# Print a file whose text came from the pull request, with GitHub's workflow commands
# (`::set-output`, `::add-mask`, ...) switched off meanwhile, so no line of it can be one.
print_untrusted() {
    if [[ -n "${GITHUB_ACTIONS:-}" ]]; then
        local token
        token="$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')"
        printf '::stop-commands::%s\n' "$token"
        cat "$1"
        printf '::%s::\n' "$token"
    else
        cat "$1"
    fi
}

# A step output: name=value (one line). Also echoed to stderr for the log.
output() {
    log "output $1=$2"
    if [[ -n "${GITHUB_OUTPUT:-}" ]]; then printf '%s=%s\n' "$1" "$2" >> "$GITHUB_OUTPUT"; fi
}

# A multi-line step output from a file, with a random delimiter (so file content cannot end it).
output_file() {
    local delim
    delim="EOF_$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')"
    if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
        { printf '%s<<%s\n' "$1" "$delim"; cat "$2"; printf '\n%s\n' "$delim"; } >> "$GITHUB_OUTPUT"
    fi
}

# The Pulumi engine on PATH (built from Go modules and cached, see scripts/pulumi-engine.sh).
# EVENTBUS_CI_PULUMI_FROM_PATH=1 uses whatever `pulumi` is on PATH instead (tests).
pulumi_engine() {
    if [[ "${EVENTBUS_CI_PULUMI_FROM_PATH:-0}" == 1 ]]; then
        command -v pulumi >/dev/null || die "no pulumi on PATH"
    else
        bash "$REPO/scripts/pulumi-engine.sh" build >&2
        eval "$(bash "$REPO/scripts/pulumi-engine.sh" env)"
    fi
    export PULUMI_SKIP_UPDATE_CHECK=true
    # GitHub's runners reach the Pulumi plugin downloads (the aws provider of cloud stacks);
    # the engine script turns acquisition off only for machines that do not.
    if [[ -n "${GITHUB_ACTIONS:-}" ]]; then unset PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION; fi
    : "${PULUMI_BACKEND_URL:?PULUMI_BACKEND_URL is not set (the state backend of the stack, e.g. s3://<bucket>)}"
    export PULUMI_BACKEND_URL
}
