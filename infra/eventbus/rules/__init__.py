"""The gate's rules. One module per rule; each rule is a small class with a
stable ``id``, a ``severity``, a docstring (its documentation), a default
``hint`` and a ``check(ctx)`` generator of findings.

Rules that the loader applies while reading files (syntax, encodings, JSON
Schema conformance) are declared in :mod:`eventbus.rules.reading` so that they
are documented and selectable like the others.
"""
from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
from dataclasses import dataclass, field
from functools import cached_property
from typing import ClassVar, Iterator

from eventbus.findings import Finding, Severity
from eventbus.model import Loc, Registry


@dataclass
class Context:
    """What rules read: the tree at HEAD and, when given, at the base ref."""

    registry: Registry
    broken: set[str] = field(default_factory=set)
    base: Registry | None = None
    today: dt.date = field(default_factory=dt.date.today)

    _avro_pending: object = None
    _desired: dict = field(default_factory=dict, repr=False)

    def desired(self, stack):
        """The desired state of ``stack`` for this tree (computed once per stack)."""
        if stack.name not in self._desired:
            from eventbus.desired.state import compute

            self._desired[stack.name] = compute(self.registry, stack)
        return self._desired[stack.name]

    def start_avro(self) -> None:
        """Start the Avro analysis in the background (workers) if not started yet."""
        if self._avro_pending is None:
            from eventbus.avro import analysis

            self._avro_pending = analysis.start(self.registry.events, self.base)

    @property
    def avro(self):
        """Parse results and compatibility problems of every schema file (computed once)."""
        self.start_avro()
        return self._avro_pending.result()

    @cached_property
    def stacks_by_env(self):
        out: dict[str, list] = {}
        for s in self.registry.stacks:
            out.setdefault(s.environment, []).append(s)
        return out


class Rule:
    id: ClassVar[str]
    severity: ClassVar[Severity] = Severity.ERROR
    hint: ClassVar[str] = ""
    needs_base: ClassVar[bool] = False  # only runs when validate is given --base
    uses_avro: ClassVar[bool] = False  # reads ctx.avro (run last, while the analysis finishes)
    emitted_by_loader: ClassVar[bool] = False

    def check(self, ctx: Context) -> Iterator[Finding]:  # pragma: no cover - interface
        return iter(())

    def finding(self, loc: Loc, message: str, hint: str | None = None, severity: Severity | None = None) -> Finding:
        return Finding(self.id, severity if severity is not None else self.severity, message, hint or self.hint, loc)

    @classmethod
    def summary(cls) -> str:
        return (cls.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")


def all_rules() -> list[type[Rule]]:
    """Every rule class, in a stable order (by id)."""
    import eventbus.rules as pkg

    found: dict[str, type[Rule]] = {}
    for mod in pkgutil.iter_modules(pkg.__path__):
        module = importlib.import_module(f"eventbus.rules.{mod.name}")
        for obj in vars(module).values():
            if isinstance(obj, type) and issubclass(obj, Rule) and obj is not Rule and getattr(obj, "id", None):
                found[obj.id] = obj
    return [found[k] for k in sorted(found)]


def run_rules(ctx: Context, rules: list[type[Rule]] | None = None) -> list[Finding]:
    out: list[Finding] = []
    ctx.start_avro()
    for cls in sorted(rules or all_rules(), key=lambda r: (r.uses_avro, r.id)):
        if cls.emitted_by_loader or (cls.needs_base and ctx.base is None):
            continue
        out.extend(cls().check(ctx))
    return out
