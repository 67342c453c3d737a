"""Human-readable findings: grouped by file, coloured on a terminal, plain when piped."""
from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from eventbus.model.findings import Finding, Severity

COLOURS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}


def use_colour(stream=None) -> bool:
    stream = stream or sys.stdout
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return hasattr(stream, "isatty") and stream.isatty()


def paint(s: str, code: str, colour: bool) -> str:
    return f"\033[{code}m{s}\033[0m" if colour else s


def render(findings: Sequence[Finding], meta: dict) -> str:
    colour = meta.get("colour", False)
    lines = []
    for f in findings:
        sev = paint(f"{f.severity}", COLOURS[f.severity], colour)
        lines.append(f"{f.loc}: {sev} [{f.rule}] {f.message}")
        lines.append(f"    fix: {f.hint}")
    errors = sum(f.severity is Severity.ERROR for f in findings)
    warnings = sum(f.severity is Severity.WARNING for f in findings)
    stats = meta.get("stats", "")
    if errors:
        summary = paint(f"✗ {errors} error(s), {warnings} warning(s)", "1;31", colour)
    else:
        summary = paint(f"✓ gate passed, {warnings} warning(s)", "1;32", colour)
    lines.append(f"{summary}{' — ' + stats if stats else ''}")
    return "\n".join(lines)
