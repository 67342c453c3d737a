"""The gate: load the tree (and its base), run every rule, return findings.

One facade that the CLI, the plan and the tests share.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from eventbus.adapters import git
from eventbus.gate.context import Context
from eventbus.gate.rules import run_rules
from eventbus.load import load_registry
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
    from eventbus.avro import analysis

    base = load_base(root, base_ref) if base_ref else None
    pending = []
    # the Avro work starts in worker processes as soon as the events are read,
    # and runs while the consumers load and the other rules run
    loaded = load_registry(root, on_events=lambda events: pending.append(analysis.start(events, base)))
    ctx = Context(loaded.registry, loaded.broken, base, today or dt.date.today())
    ctx._avro_pending = pending[0]
    findings = loaded.findings + run_rules(ctx)
    findings.sort(key=Finding.sort_key)
    return GateResult(loaded.registry, base, findings)
