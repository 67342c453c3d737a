"""Machine-readable findings (stable keys, sorted)."""
from __future__ import annotations

from collections.abc import Sequence

from eventbus.model.findings import Finding, Severity
from eventbus.text import json_dumps


def as_dict(f: Finding) -> dict:
    return {
        "rule": f.rule,
        "severity": str(f.severity),
        "file": f.loc.file,
        "line": f.loc.line,
        "column": f.loc.col,
        "message": f.message,
        "hint": f.hint,
    }


def render(findings: Sequence[Finding], meta: dict) -> str:
    doc = {
        "ok": not any(f.severity is Severity.ERROR for f in findings),
        "errors": sum(f.severity is Severity.ERROR for f in findings),
        "warnings": sum(f.severity is Severity.WARNING for f in findings),
        "findings": [as_dict(f) for f in findings],
    }
    if "counts" in meta:
        doc["counts"] = meta["counts"]
    return json_dumps(doc, indent=2, sort_keys=False)
