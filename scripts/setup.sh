#!/usr/bin/env bash
# Install what the project needs. Idempotent and fast when nothing changed.
#   scripts/setup.sh            # .venv with the project and its dev tools (stamp: hash of pyproject.toml)
#   scripts/setup.sh --tests    # + what the tests use: npm test tools (axe-core, AsyncAPI schemas)
#                               #   and Debian's Chromium (browser tests) and shellcheck (the scripts' lint test), when apt-get can run
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
say() { printf '[setup] %s\n' "$*" >&2; }

PY="${PYTHON:-}"
if [[ -z "$PY" ]]; then
  for cand in python3.11 python3.12 python3.13 python3; do
    if command -v "$cand" >/dev/null && "$cand" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then PY="$cand"; break; fi
  done
fi
[[ -n "$PY" ]] || { echo "[setup] ERROR: Python 3.11+ is required (set PYTHON=/path/to/python3.11)" >&2; exit 1; }

if [[ ! -x .venv/bin/python ]]; then
  say "creating .venv with $("$PY" --version)"
  "$PY" -m venv .venv
fi
stamp=".venv/.eventbus-installed"
want="$(sha256sum pyproject.toml | cut -c1-16)"
if [[ "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
  say "installing Python dependencies (first run: 1-2 min)"
  .venv/bin/python -m pip install --quiet --upgrade pip >/dev/null
  .venv/bin/python -m pip install --quiet --progress-bar off -e ".[dev]"
  echo "$want" > "$stamp"
  say "Python dependencies installed"
fi

[[ "${1:-}" == "--tests" ]] || exit 0

# npm test tools, pinned by package-lock.json
if command -v npm >/dev/null; then
  lock="node_modules/.eventbus-installed"
  want="$(sha256sum package-lock.json | cut -c1-16)"
  if [[ "$(cat "$lock" 2>/dev/null)" != "$want" ]]; then
    say "installing npm test tools (axe-core, @asyncapi/specs, @backstage/catalog-model)"
    npm ci --no-audit --no-fund --loglevel=error >/dev/null
    echo "$want" > "$lock"
  fi
else
  say "npm not found: AsyncAPI and accessibility tests will skip (an error under CI=true)"
fi

# Debian's Chromium for the catalog's browser tests
if ! command -v chromium >/dev/null; then
  if command -v apt-get >/dev/null && [[ "$(id -u)" == 0 ]]; then
    say "installing Debian's chromium for the browser tests (once)"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-dejavu-core >/dev/null
  else
    say "chromium not found and apt-get unavailable: browser tests will skip (an error under CI=true)"
  fi
fi

# Debian's shellcheck for the lint test of the scripts
if ! command -v shellcheck >/dev/null; then
  if command -v apt-get >/dev/null && [[ "$(id -u)" == 0 ]]; then
    say "installing Debian's shellcheck for the scripts' lint test (once)"
    apt_install() { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null; }
    apt_install shellcheck || { apt-get update -qq >/dev/null && apt_install shellcheck; }
  else
    say "shellcheck not found and apt-get unavailable: the scripts' lint test will skip"
  fi
fi
