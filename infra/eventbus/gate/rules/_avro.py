"""Shared helpers for the Avro rules (not a rule)."""
from __future__ import annotations

from functools import lru_cache

from eventbus.model import Event, Loc, SchemaVersion


def schema_files(e: Event) -> list[tuple[SchemaVersion, str]]:
    out = [(v, "value") for v in e.versions]
    if e.key_schema is not None:
        out.append((e.key_schema, "key"))
    return out


def parses(ctx, sv: SchemaVersion) -> bool:
    return sv.schema is not None and ctx.avro.ok(sv.path)


@lru_cache(maxsize=64)
def name_lines(text: str) -> dict[str, int]:
    """Line of the first ``"name": "<x>"`` of every name in a schema text, indexed in one pass.

    Fuzzing fix (bounded time): each finding used to search the whole text again, so a schema
    with thousands of findings took seconds per thousand fields, quadratic in its size.
    """
    import re

    out: dict[str, int] = {}
    line, last = 1, 0
    for m in re.finditer(r'"name"\s*:\s*"([^"\\]*)"', text):
        line += text.count("\n", last, m.start())
        last = m.start()
        out.setdefault(m.group(1), line)
    return out


def line_of(sv: SchemaVersion, name: str) -> Loc:
    """Line of the first ``"name": "<name>"`` in the file (best effort)."""
    return Loc(sv.path, name_lines(sv.text).get(name, 1))


def contract(sv: SchemaVersion):
    """The field facts of a schema version (:mod:`eventbus.avro.contract`), computed once per content."""
    from eventbus.avro.contract import mentions_classification, schema_fields

    return schema_fields(sv.schema, sv.digest, mentions_classification(sv.text, sv.digest))


def field_line(sv: SchemaVersion, path: str) -> Loc:
    """Line of the field at a dotted path (of its last name; best effort)."""
    return line_of(sv, path.rsplit(".", 1)[-1]) if path else Loc(sv.path, 1)


def owner_of(ctx, team: str) -> str:
    """``<team>, @org/team``: who to ask about an application."""
    t = ctx.registry.teams_by_id.get(team)
    return f"{team}, {t.github_team}" if t is not None else team
