#!/usr/bin/env bash
# CI: install the project exactly as a developer does (.venv with the dev extra), then say which
# versions run.
#   scripts/ci/setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bash "$REPO/scripts/setup.sh"
"$EVENTBUS" --version
git --version
