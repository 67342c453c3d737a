"""Ruff on the whole code base and mypy on the pure core run with the tests (pyproject.toml
configures both)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

BIN = Path(sys.executable).parent


def test_ruff_is_clean():
    res = subprocess.run([str(BIN / "ruff"), "check", "infra", "tests"], cwd=REPO, capture_output=True, text=True)
    assert res.returncode == 0, res.stdout[-5000:] + res.stderr[-2000:]


def test_mypy_is_clean_on_the_pure_core():
    res = subprocess.run([str(BIN / "mypy")], cwd=REPO, capture_output=True, text=True)
    assert res.returncode == 0, res.stdout[-5000:] + res.stderr[-2000:]
