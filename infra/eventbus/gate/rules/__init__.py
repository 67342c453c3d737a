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
    uses_desired: ClassVar[bool] = False  # reads ctx.desired (on a big tree, run in a second process meanwhile)
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


ASIDE_CONSUMERS = 300  # applications; below this the desired-state rules cost less than a second process


def _check(ctx: Context, chosen: list[type[Rule]]) -> list[Finding]:
    out: list[Finding] = []
    for cls in chosen:
        out.extend(cls().check(ctx))
    return out


def run_rules(ctx: Context, rules: list[type[Rule]] | None = None) -> list[Finding]:
    """The findings of ``rules`` (default: every rule) on ``ctx``, the same whichever process ran each rule. On a
    big tree the rules that compute desired states (``uses_desired``) run in a forked process while this one runs
    the others."""
    chosen = [cls for cls in sorted(rules or all_rules(), key=lambda r: (r.uses_avro, r.id))
              if not (cls.emitted_by_loader or (cls.needs_base and ctx.base is None))]
    if any(r.uses_avro for r in chosen):
        ctx.start_avro()  # in the background while the other rules run
    aside = None
    heavy = [cls for cls in chosen if cls.uses_desired]
    if heavy and len(ctx.registry.consumers) >= ASIDE_CONSUMERS:
        from eventbus.concurrency import start_aside

        aside = start_aside(_check, ctx, heavy, inherit=True)
    here = [cls for cls in chosen if aside is None or cls not in heavy]
    out = _check(ctx, here)
    if aside is not None:
        from eventbus.concurrency import WorkerDied

        try:
            out.extend(aside.results()[0])
        except WorkerDied:  # the process was killed (out of memory, a signal): its rules run here
            out.extend(_check(ctx, heavy))
    from eventbus.gate.rules._adopted import as_history

    return as_history(out, ctx.registry)
