"""Shared helpers for the Avro rules (not a rule)."""
from __future__ import annotations

from eventbus.avro.schema import AvroError, parse_text
from eventbus.model import Event, Loc, SchemaVersion


def schema_files(e: Event) -> list[tuple[SchemaVersion, str]]:
    out = [(v, "value") for v in e.versions]
    if e.key_schema is not None:
        out.append((e.key_schema, "key"))
    return out


def parses(sv: SchemaVersion) -> bool:
    if sv.schema is None:
        return False
    try:
        parse_text(sv.text)
        return True
    except AvroError:
        return False


def line_of(sv: SchemaVersion, name: str) -> Loc:
    """Line of the first ``"name": "<name>"`` in the file (best effort)."""
    import re

    m = re.search(r'"name"\s*:\s*"' + re.escape(name) + '"', sv.text)
    line = sv.text.count("\n", 0, m.start()) + 1 if m else 1
    return Loc(sv.path, line)
