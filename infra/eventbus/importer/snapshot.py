"""What ``eventbus import`` reads from a stack, through the adapters (read-only)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from eventbus.adapters.kafka_admin import Inventory


@dataclass(frozen=True)
class SubjectFound:
    name: str
    level: str | None  # the level the registry enforces on it (its own, else the global one)
    versions: tuple[tuple[int, int, str], ...]  # (registry version, schema id, schema text), oldest first
    note: str = ""  # how the level was decided, when it was not the subject's own
    unsupported: str = ""  # why its schemas cannot be drafted as Avro files (not Avro, references to other subjects)


@dataclass(frozen=True)
class RoleFound:
    name: str
    trust: tuple[str, ...]  # AWS principals that may assume it
    grants: frozenset[tuple[str, str]]  # (action, resource) of every unconditional Allow statement no Deny takes back, inline and attached
    notes: tuple[str, ...] = ()  # statements left out of ``grants`` (conditions, Deny), for the report


@dataclass
class Snapshot:
    kafka: Inventory
    subjects: dict[str, SubjectFound] = field(default_factory=dict)
    roles: dict[str, RoleFound] = field(default_factory=dict)
    registry_read: bool = False  # the stack has a Confluent-compatible registry and it was read


def read_registry(url: str, username: str | None = None, password: str | None = None, progress=None) -> dict[str, SubjectFound]:
    """Every subject with its versions and level. Apicurio answers ``NONE`` for a subject without
    a level of its own while enforcing the global one: such a subject gets the global level."""
    from eventbus.adapters.schema_registry import SchemaRegistry

    tell = progress or (lambda *_: None)
    reg = SchemaRegistry(url, username, password)
    global_level = reg.global_compatibility()
    out = {}
    names = reg.subjects()
    for i, name in enumerate(names, 1):
        own = reg.compatibility(name)
        note = ""
        if own is None or (own == "NONE" and global_level != "NONE"):
            note = f"has no level of its own (the registry answers {own or 'none'}): the global {global_level} applies"
            own = global_level
        found = reg.versions(name)
        out[name] = SubjectFound(name, own, tuple((v.version, v.id, v.schema) for v in found), note, unsupported(found))
        tell("subjects", i, len(names))
    return out


def unsupported(versions) -> str:
    """Why a subject's versions cannot be drafted as ``v<N>.avsc`` files ("" when they can): a schema
    that is not Avro, or one that refers to types of other subjects (a file of the tree stands alone)."""
    for v in versions:
        if v.schema_type != "AVRO":
            return f"version {v.version} (schema id {v.id}) is a {v.schema_type} schema, not Avro"
        if v.references:
            return f"version {v.version} (schema id {v.id}) refers to other subjects ({', '.join(v.references)})"
    return ""


def read_roles(region: str | None, cluster_arn: str, progress=None) -> dict[str, RoleFound]:
    from eventbus.adapters import aws_iam

    live = aws_iam.read_cluster_roles(aws_iam.client(region), cluster_arn, progress)
    out = {}
    for name, r in live.roles.items():
        grants, notes = role_grants([*r.policies.values(), *r.attached_docs.values()])
        out[name] = RoleFound(name, tuple(sorted(aws_iam.trust_principals(r.trust))), grants, notes)
    return out


def _list(value) -> list:
    return value if isinstance(value, list) else ([] if value is None else [value])


def _pattern(glob: str, ignore_case: bool = False) -> re.Pattern:
    """An IAM wildcard (``*``, ``?``) as a regular expression."""
    return re.compile(re.escape(str(glob)).replace(r"\*", ".*").replace(r"\?", "."), re.IGNORECASE if ignore_case else 0)


def _kafka(action: str) -> bool:
    return action == "*" or action.lower().startswith("kafka")


def role_grants(docs: list) -> tuple[frozenset[tuple[str, str]], tuple[str, ...]]:
    """(action, resource) of the Allow statements of ``docs`` that hold whatever the request: an
    Allow with a ``Condition`` (or ``NotAction``, ``NotResource``) is left out (the tree grants no
    conditions, so drafting it would grant more than found), and so is a grant any Deny statement
    may take back (a Deny with a condition or ``Not...`` counts as taking back everything it could);
    and what was left out, as notes."""
    allows: set[tuple[str, str]] = set()
    denies: list[tuple[list, list]] = []
    notes: list[str] = []
    for doc in docs:
        statements = doc.get("Statement", []) if isinstance(doc, dict) else []
        for st in _list(statements):
            if not isinstance(st, dict):
                continue
            if st.get("Effect") == "Deny":
                actions = ["*"] if "NotAction" in st else _list(st.get("Action"))
                resources = ["*"] if "NotResource" in st else _list(st.get("Resource"))
                denies.append(([_pattern(a, True) for a in actions], [_pattern(r) for r in resources]))
            elif st.get("Effect") == "Allow":
                pairs = {(str(a), str(r)) for a in _list(st.get("Action")) for r in _list(st.get("Resource"))}
                limits = sorted(k for k in ("Condition", "NotAction", "NotResource") if k in st)
                if limits:
                    notes += [f"Allow {a} on {r} has {' and '.join(limits)}: left in its own policy, not drafted" for a, r in sorted(pairs) if _kafka(a)]
                else:
                    allows |= pairs
    out = set()
    for a, r in sorted(allows):
        if any(any(p.fullmatch(a) for p in acts) and any(p.fullmatch(r) for p in ress) for acts, ress in denies):
            if _kafka(a):
                notes.append(f"Allow {a} on {r} is taken back by a Deny statement: not drafted")
        else:
            out.add((a, r))
    return frozenset(out), tuple(notes)
