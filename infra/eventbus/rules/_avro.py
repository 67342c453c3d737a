"""Shared helpers for the Avro rules (not a rule)."""
from __future__ import annotations

from eventbus.model import Event, Loc, SchemaVersion


def schema_files(e: Event) -> list[tuple[SchemaVersion, str]]:
    out = [(v, "value") for v in e.versions]
    if e.key_schema is not None:
        out.append((e.key_schema, "key"))
    return out


def parses(ctx, sv: SchemaVersion) -> bool:
    return sv.schema is not None and ctx.avro.ok(sv.path)


def line_of(sv: SchemaVersion, name: str) -> Loc:
    """Line of the first ``"name": "<name>"`` in the file (best effort)."""
    import re

    m = re.search(r'"name"\s*:\s*"' + re.escape(name) + '"', sv.text)
    line = sv.text.count("\n", 0, m.start()) + 1 if m else 1
    return Loc(sv.path, line)
