"""Reporters render findings; they never decide anything."""
from __future__ import annotations

from collections.abc import Callable, Sequence

from eventbus.gate.reporters import github, json_report, sarif, text
from eventbus.model.findings import Finding

REPORTERS: dict[str, Callable[[Sequence[Finding], dict], str]] = {
    "text": text.render,
    "json": json_report.render,
    "github": github.render,
    "sarif": sarif.render,
}
