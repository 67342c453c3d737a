"""Reporters render findings; they never decide anything."""
from __future__ import annotations

from typing import Callable, Sequence

from eventbus.model.findings import Finding
from eventbus.gate.reporters import github, json_report, sarif, text

REPORTERS: dict[str, Callable[[Sequence[Finding], dict], str]] = {
    "text": text.render,
    "json": json_report.render,
    "github": github.render,
    "sarif": sarif.render,
}
