"""The gate's rules. One module per rule; each rule is a small class with a
stable ``id``, a ``severity``, a docstring (its documentation), a default
``hint`` and a ``check(ctx)`` generator of findings.

Rules that the loader applies while reading files (syntax, encodings, JSON
Schema conformance) are declared in :mod:`eventbus.gate.rules.reading` so that they
are documented and selectable like the others.
"""
from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from typing import ClassVar

from eventbus.gate.context import Context
from eventbus.model import Loc
from eventbus.model.findings import Finding, Severity


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
    import eventbus.gate.rules as pkg

    found: dict[str, type[Rule]] = {}
    for mod in pkgutil.iter_modules(pkg.__path__):
        module = importlib.import_module(f"eventbus.gate.rules.{mod.name}")
        for obj in vars(module).values():
            if isinstance(obj, type) and issubclass(obj, Rule) and obj is not Rule and getattr(obj, "id", None):
                found[obj.id] = obj
    return [found[k] for k in sorted(found)]


def run_rules(ctx: Context, rules: list[type[Rule]] | None = None) -> list[Finding]:
    out: list[Finding] = []
    chosen = sorted(rules or all_rules(), key=lambda r: (r.uses_avro, r.id))
    if any(r.uses_avro for r in chosen):
        ctx.start_avro()  # in the background while the other rules run
    for cls in chosen:
        if cls.emitted_by_loader or (cls.needs_base and ctx.base is None):
            continue
        out.extend(cls().check(ctx))
    from eventbus.gate.rules._adopted import as_history

    return as_history(out, ctx.registry)
