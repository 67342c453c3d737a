#!/usr/bin/env bash
# The test command: installs what is missing, starts what the tests need, runs the whole suite.
#   scripts/test.sh                 # everything (unit, integration, end-to-end)
#   scripts/test.sh -m "not e2e"    # extra args go to pytest
# End-to-end tests need the Kafka broker (Java + Maven) and the Pulumi engine (Go); without those
# tools they skip with a reason, except under CI=true where a missing tool is an error.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
bash scripts/setup.sh --tests
exec .venv/bin/python -m pytest "$@"
