"""GitHub Actions workflow commands: annotations on the exact lines of the pull request."""
from __future__ import annotations

from collections.abc import Sequence

from eventbus.model.findings import Finding, Severity

LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_prop(s: str) -> str:
    return _escape_data(s).replace(":", "%3A").replace(",", "%2C")


def render(findings: Sequence[Finding], meta: dict) -> str:
    lines = []
    for f in findings:
        props = f"file={_escape_prop(f.loc.file)},line={f.loc.line},col={f.loc.col},title={_escape_prop(f.rule)}"
        lines.append(f"::{LEVEL[f.severity]} {props}::{_escape_data(f.message + ' — fix: ' + f.hint)}")
    errors = sum(f.severity is Severity.ERROR for f in findings)
    lines.append(f"eventbus validate: {errors} error(s), {len(findings) - errors} other finding(s)")
    return "\n".join(lines)
