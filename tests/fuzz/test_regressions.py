"""Replay every input that once crashed (or hung, or broke a property of) the gate.

Inputs live in ``tests/fuzz/regressions/<target>/<name>.bin`` with a ``<name>.txt`` note of what
broke and where it was fixed; ``<target>`` is a target of ``tests/fuzz/harness.py``. Add a new
one with ``harness.save_regression(target, data, note)`` (or copy an atheris ``crash-*`` file:
for the loader and gate targets, convert it with ``save_regression`` so it names its file).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.fuzz import harness

ROOT = Path(__file__).resolve().parent / "regressions"
CASES = sorted(p.relative_to(ROOT).as_posix() for p in ROOT.glob("*/*.bin"))


def test_regressions_exist():
    assert CASES, "no regression inputs found"


@pytest.mark.parametrize("case", CASES)
def test_replay(case):
    target = case.split("/", 1)[0]
    assert target in harness.TARGETS, f"unknown target directory {target}"
    harness.replay(target, (ROOT / case).read_bytes())
