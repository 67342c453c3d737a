"""Placeholders: the values ``eventbus import`` cannot know (owner team, classification, purpose,
compliance facts, ...) are written as text starting with ``FILL-IN:`` followed by what to fill in.
Each one is a finding of its own (rule ``placeholder``: file, line, what to write) instead of the
schema error the same value would also cause; the gate refuses a tree that still has one."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eventbus.model import Positions
from eventbus.model.adoption import PLACEHOLDER
from eventbus.model.findings import Finding, Severity

RULE = "placeholder"


def placeholder(what: str) -> str:
    """The placeholder value for ``what`` (e.g. ``owner team id (a file teams/<id>.yaml)``)."""
    return f"{PLACEHOLDER} {what}"


def is_placeholder(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(PLACEHOLDER)


def _walk(data: Any, path: tuple = ()) -> Iterator[tuple[tuple, str]]:
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _walk(v, path + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _walk(v, path + (i,))
    elif is_placeholder(data):
        yield path, data


def _dotted(path: tuple) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(document)"


def may_hold(text: str) -> bool:
    """Whether a YAML text can hold a placeholder value at all: its prefix appears in the text, or
    a backslash escape (in a double-quoted scalar) could spell it."""
    return PLACEHOLDER in text or "\\" in text


def find(data: Any, pos: Positions) -> list[Finding]:
    """One finding per placeholder value in a parsed document."""
    out = []
    for path, value in _walk(data):
        what = value[len(PLACEHOLDER):].strip() or "the real value"
        out.append(Finding(RULE, Severity.ERROR, f"{_dotted(path)} is a placeholder left by `eventbus import`", f"fill in {what[:200]}", pos.loc(*path)))
    return out
