#!/usr/bin/env bash
# Create .venv and install the project with its dev dependencies. Idempotent and fast when
# nothing changed (a stamp of pyproject.toml's hash is kept in the venv).
#   scripts/setup.sh            # python deps
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
want="$(cat pyproject.toml | sha256sum | cut -c1-16)"
if [[ "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
  say "installing Python dependencies (first run: ~1 min)"
  .venv/bin/python -m pip install --quiet --upgrade pip >/dev/null
  .venv/bin/python -m pip install --quiet --progress-bar off -e ".[dev]"
  echo "$want" > "$stamp"
  say "done"
fi
