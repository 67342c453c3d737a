"""Schema files that an adoption record holds as registry history (not a rule).

A version the registry already holds is history: its style (docs, namespaces, defaults) and its
compatibility with the versions before it were decided when it was registered by hand, and it
cannot change without losing the schema id that stored records carry. The findings of
:data:`HISTORY_RULES` on such a file are warnings, not errors (new versions are checked as usual).
"""
from __future__ import annotations

from dataclasses import replace

from eventbus.model.adoption import fingerprint
from eventbus.model.findings import Finding, Severity

HISTORY_RULES = frozenset({"avro-doc", "avro-namespace", "avro-default", "avro-logical-type", "schema-compat"})


def adopted_paths(registry) -> frozenset[str]:
    """Paths of the schema files whose text is a version an adoption record holds."""
    recorded: dict[str, set[str]] = {}
    for a in registry.adoptions:
        for s in a.subjects.values():
            recorded.setdefault(s.event, set()).update(v.fingerprint for v in s.versions)
    out = set()
    for e in registry.events:
        prints = recorded.get(e.ref)
        if not prints:
            continue
        for sv in (*e.versions, *((e.key_schema,) if e.key_schema is not None else ())):
            if sv.schema is not None and fingerprint(sv.schema) in prints:
                out.add(sv.path)
    return frozenset(out)


def as_history(findings: list[Finding], registry) -> list[Finding]:
    """Errors of the history rules on adopted schema files, as warnings."""
    if not registry.adoptions:
        return findings
    paths = adopted_paths(registry)
    return [replace(f, severity=Severity.WARNING, message=f"{f.message} (a version the schema registry already holds: adopted as is)")
            if f.rule in HISTORY_RULES and f.loc.file in paths and f.severity is Severity.ERROR else f for f in findings]
