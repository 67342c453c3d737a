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
    """Paths of the schema files that are a version an adoption record holds: ``v<N>.avsc`` when it
    is version N of the event's value subject as recorded, ``key.avsc`` when it is a version of its
    key subject. A new version whose text repeats an older recorded one is not history (its
    compatibility with the versions before it is checked as always)."""
    values: dict[str, dict[int, set[str]]] = {}  # event -> version -> recorded fingerprints (one per stack)
    keys: dict[str, set[str]] = {}
    for a in registry.adoptions:
        for s in a.subjects.values():
            if s.name.endswith("-key"):
                keys.setdefault(s.event, set()).update(v.fingerprint for v in s.versions)
            else:
                for v in s.versions:
                    values.setdefault(s.event, {}).setdefault(v.version, set()).add(v.fingerprint)
    out = set()
    for e in registry.events:
        recorded, key_prints = values.get(e.ref, {}), keys.get(e.ref, set())
        if not (recorded or key_prints):
            continue
        for sv in e.versions:
            if sv.schema is not None and fingerprint(sv.schema) in recorded.get(sv.version, ()):
                out.add(sv.path)
        k = e.key_schema
        if k is not None and k.schema is not None and fingerprint(k.schema) in key_prints:
            out.add(k.path)
    return frozenset(out)


def as_history(findings: list[Finding], registry) -> list[Finding]:
    """Errors of the history rules on adopted schema files, as warnings."""
    if not registry.adoptions:
        return findings
    paths = adopted_paths(registry)
    return [replace(f, severity=Severity.WARNING, message=f"{f.message} (a version the schema registry already holds: adopted as is)")
            if f.rule in HISTORY_RULES and f.loc.file in paths and f.severity is Severity.ERROR else f for f in findings]
