"""What ``eventbus import`` reads from a stack, through the adapters (read-only)."""
from __future__ import annotations

from dataclasses import dataclass, field

from eventbus.adapters.kafka_admin import Inventory


@dataclass(frozen=True)
class SubjectFound:
    name: str
    level: str | None  # the level the registry enforces on it (its own, else the global one)
    versions: tuple[tuple[int, int, str], ...]  # (registry version, schema id, schema text), oldest first
    note: str = ""  # how the level was decided, when it was not the subject's own


@dataclass(frozen=True)
class RoleFound:
    name: str
    trust: tuple[str, ...]  # AWS principals that may assume it
    grants: frozenset[tuple[str, str]]  # (action, resource) of every Allow statement, inline and attached


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
        out[name] = SubjectFound(name, own, tuple((v.version, v.id, v.schema) for v in reg.versions(name)), note)
        tell("subjects", i, len(names))
    return out


def read_roles(region: str | None, cluster_arn: str, progress=None) -> dict[str, RoleFound]:
    from eventbus.adapters import aws_iam

    live = aws_iam.read_cluster_roles(aws_iam.client(region), cluster_arn, progress)
    out = {}
    for name, r in live.roles.items():
        docs = [*r.policies.values(), *r.attached_docs.values()]
        out[name] = RoleFound(name, tuple(sorted(aws_iam.trust_principals(r.trust))), frozenset().union(*(aws_iam.grants(d) for d in docs)) if docs else frozenset())
    return out
