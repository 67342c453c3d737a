"""The gate: load the tree (and its base), run every rule, return findings.

One facade that the CLI, the plan and the tests share.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from eventbus.adapters import git
from eventbus.gate.context import Context
from eventbus.gate.rules import run_rules
from eventbus.load.registry import load_registry
from eventbus.model import Registry
from eventbus.model.findings import Finding, Severity


@dataclass
class GateResult:
    registry: Registry
    base: Registry | None
    findings: list[Finding]

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity is Severity.WARNING)

    @property
    def ok(self) -> bool:
        return self.errors == 0


def load_base(root: str, ref: str) -> Registry:
    fs = git.tree_at(root, ref)
    return load_registry(fs.root, fs=fs).registry


def validate(root: str, base_ref: str | None = None, today: dt.date | None = None) -> GateResult:
    """The gate on the tree at ``root`` (and its history since ``base_ref``)."""
    base = load_base(root, base_ref) if base_ref else None
    return check(root, base=base, today=today)


def check(root: str, fs=None, base: Registry | None = None, today: dt.date | None = None, rules=None) -> GateResult:
    """The gate on a tree read from disk at ``root`` or from ``fs`` (an in-memory tree), with
    ``rules`` only when given."""
    from eventbus.avro import analysis
    from eventbus.load import cache

    pending = []
    uses_avro = rules is None or any(r.uses_avro for r in rules)
    # the Avro work starts as soon as the events are read, and runs while the consumers load and
    # the other rules run
    on_events = (lambda events: pending.append(analysis.start(events, base))) if uses_avro else None
    if fs is None and cache.enabled():  # a tree on disk: through the parse cache (the same result, the unchanged files not parsed again)
        loaded = cache.load_registry_cached(root, on_events=on_events, parallel=True)
    else:
        loaded = load_registry(root, fs=fs, on_events=on_events, parallel=True)
    ctx = Context(loaded.registry, loaded.broken, base, today or dt.date.today())
    if pending:
        ctx._avro_pending = pending[0]
    findings = loaded.findings + run_rules(ctx, rules)
    findings.sort(key=Finding.sort_key)
    return GateResult(loaded.registry, base, findings)
