#!/usr/bin/env bash
# One command for every benchmark; writes docs/benchmarks.md. Args go to `python -m eventbus.bench`.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
bash scripts/setup.sh
exec .venv/bin/python -m eventbus.bench "$@"
