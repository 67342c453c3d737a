"""The adoption record of a stack (``adopt/<stack>.yaml``): what ``eventbus import`` found live on
the stack's cluster and registry, and what the tree must keep so that the first deploy adopts it
instead of recreating it.

Written by ``eventbus import``, owned by the platform team (CODEOWNERS), read by the loader
(:mod:`eventbus.load.adoption`) into these values; every item knows its file and line. The desired
state turns them into import ids (``adopt``) and into the legacy names of applications
(:func:`eventbus.model.naming.app_names`); the gate's ``adopt-*`` rules check them.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from eventbus.model.registry import Loc, Positions

PLACEHOLDER = "FILL-IN:"  # the start of every value `eventbus import` cannot know (see eventbus.load.placeholders)


@dataclass(frozen=True)
class AdoptedTopic:
    """A live topic as found at import: the tree's event that maps to it and its settings then."""

    name: str
    event: str  # <domain>/<event>
    partitions: int
    replication_factor: int
    config: tuple[tuple[str, str], ...]  # the settings the tree manages (cleanup.policy, retention.ms, ...), as found
    kept_config: tuple[tuple[str, str], ...]  # other topic-level settings found: the deploy keeps them as they are
    topic_id: str | None
    loc: Loc


@dataclass(frozen=True)
class AdoptedVersion:
    version: int  # the tree's v<N>.avsc (the registry's versions in order)
    id: int  # the registry's schema id (the one in stored records)
    fingerprint: str  # sha256 of the schema's JSON, normalised (see eventbus.model.adoption.fingerprint)


@dataclass(frozen=True)
class AdoptedSubject:
    name: str
    event: str
    compatibility: str | None  # the level the subject had (its own, else the registry's global one)
    versions: tuple[AdoptedVersion, ...]
    loc: Loc


@dataclass(frozen=True)
class KeptAcl:
    """A binding of an adopted principal that the tree does not derive: kept as found until the
    platform team removes it from the record (a reviewed change)."""

    resource_type: str  # Topic | Group | Cluster | TransactionalId
    resource_name: str
    pattern: str  # Literal | Prefixed
    operation: str
    host: str = "*"
    permission: str = "Allow"


@dataclass(frozen=True)
class LegacyIdentity:
    """What an application already is on the stack, where it differs from the derived names, and
    what the deploy adopts: its Kafka principal (``User:<kafka_user>``, with its ACL bindings), its
    consumer group, its IAM role; ``keep_credential``: its SASL/SCRAM credential stays as it is
    (its password is the application's, not the stack's)."""

    app: str  # <team>/<application>
    kafka_user: str | None
    consumer_group: str | None
    group_prefix: bool
    role: str | None
    keep_credential: bool
    kept_acls: tuple[KeptAcl, ...]
    pos: Positions

    @property
    def loc(self) -> Loc:
        return self.pos.loc()


@dataclass(frozen=True)
class Adoption:
    stack: str  # = the file name adopt/<stack>.yaml
    cluster_id: str | None
    topics: Mapping[str, AdoptedTopic] = field(default_factory=dict)
    subjects: Mapping[str, AdoptedSubject] = field(default_factory=dict)
    applications: Mapping[str, LegacyIdentity] = field(default_factory=dict)
    pos: Positions = field(default_factory=lambda: Positions(""))
    declared_stack: str = ""  # as written in the file (must equal the file name)

    @property
    def file(self) -> str:
        return self.pos.file


def fingerprint(schema) -> str:
    """The identity of a schema version as the registry compares them: its parsed JSON with keys
    sorted and no whitespace (key order and formatting differ between registries and editors;
    everything else, including ``doc``, counts)."""
    import hashlib
    import json

    return "sha256:" + hashlib.sha256(json.dumps(schema, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()
