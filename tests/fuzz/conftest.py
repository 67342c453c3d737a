"""Fuzz test settings.

Default run (CI, ``pytest tests/fuzz``): a few hundred examples per cheap target and a few
dozen per whole-gate target, all of it well under a minute.

Long run: ``FUZZ_EXAMPLES=<n>`` sets the examples of every test (the whole-gate tests get a
tenth of it); ``FUZZ_STATS=<file.json>`` writes the executions per target at the end.
See docs/fuzzing.md.
"""
from __future__ import annotations

import json
import os
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, settings

from tests.fuzz import harness

LONG = int(os.environ.get("FUZZ_EXAMPLES", "0") or 0)


def fuzz(examples: int, deadline_s: float = 2.0, heavy: bool = False) -> settings:
    """Settings of one fuzz test: ``examples`` in CI, FUZZ_EXAMPLES (a tenth for heavy tests) in a long run."""
    n = max(1, LONG // 10) if (LONG and heavy) else (LONG or examples)
    return settings(
        max_examples=n,
        deadline=timedelta(seconds=deadline_s),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture],
        derandomize=not LONG and os.environ.get("FUZZ_RANDOM") is None,  # CI runs are reproducible; long runs explore
        database=None if not LONG else settings().database,
        print_blob=True,
    )


def pytest_sessionfinish(session, exitstatus):
    path = os.environ.get("FUZZ_STATS")
    if path and harness.EXECUTIONS:
        old = {}
        if os.path.exists(path):
            with open(path) as fh:
                old = json.load(fh)
        for k, v in harness.EXECUTIONS.items():
            old[k] = old.get(k, 0) + v
        with open(path, "w") as fh:
            json.dump(old, fh, indent=2, sort_keys=True)


@pytest.fixture(scope="session")
def fuzz_tree():
    """The valid registry every whole-tree input starts from (restored after each input)."""
    return harness.base_tree()
