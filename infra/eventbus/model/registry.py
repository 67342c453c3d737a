"""The registry model: one immutable, typed picture of the whole tree.

Every item knows the file (and line) it came from, so any rule can point a
reviewer at the exact place to fix. The model is pure data: loading lives in
``eventbus.load``, checks in ``eventbus.gate.rules``.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from eventbus.model import naming

LIFECYCLES = ("experimental", "development", "production", "deprecated", "retired")
CLASSIFICATIONS = ("none", "PII", "PHI")
COMPATIBILITY_MODES = (
    "BACKWARD",
    "BACKWARD_TRANSITIVE",
    "FORWARD",
    "FORWARD_TRANSITIVE",
    "FULL",
    "FULL_TRANSITIVE",
    "NONE",
)
# what each compatibility mode promises readers and writers
PROMISES = {
    "NONE": frozenset(),
    "BACKWARD": frozenset({"backward"}),
    "FORWARD": frozenset({"forward"}),
    "FULL": frozenset({"backward", "forward"}),
    "BACKWARD_TRANSITIVE": frozenset({"backward", "backward-all"}),
    "FORWARD_TRANSITIVE": frozenset({"forward", "forward-all"}),
    "FULL_TRANSITIVE": frozenset({"backward", "forward", "backward-all", "forward-all"}),
}


# the same modes as AWS Glue Schema Registry names them
GLUE_MODES = {
    "BACKWARD": "BACKWARD",
    "BACKWARD_TRANSITIVE": "BACKWARD_ALL",
    "FORWARD": "FORWARD",
    "FORWARD_TRANSITIVE": "FORWARD_ALL",
    "FULL": "FULL",
    "FULL_TRANSITIVE": "FULL_ALL",
    "NONE": "NONE",
}


def weakens(old: str, new: str) -> bool:
    """Whether changing the compatibility mode from ``old`` to ``new`` drops a promise ``old`` made."""
    return not PROMISES[old] <= PROMISES[new]


@dataclass(frozen=True, slots=True)
class Loc:
    """A place in the tree: repository-relative path, 1-based line and column."""

    file: str
    line: int = 1
    col: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True, slots=True)
class Positions:
    """Line/column of every value of a parsed document, keyed by its path."""

    file: str
    table: Mapping[tuple, tuple[int, int]] = field(default_factory=dict)

    def loc(self, *path: Any) -> Loc:
        """Location of the deepest known prefix of ``path``."""
        p = tuple(path)
        while p not in self.table and p:
            p = p[:-1]
        line, col = self.table.get(p, (1, 1))
        return Loc(self.file, line, col)


@dataclass(frozen=True, slots=True)
class Contact:
    name: str
    email: str | None = None
    role: str | None = None


@dataclass(frozen=True)
class Team:
    id: str
    name: str
    github_team: str
    contacts: tuple[Contact, ...]
    product_owner: Contact | None
    chat_channel: str | None
    pos: Positions

    @property
    def loc(self) -> Loc:
        return self.pos.loc()


@dataclass(frozen=True)
class SourceSystem:
    name: str
    team: str | None = None
    product_owner: str | None = None


@dataclass(frozen=True)
class Producer:
    """A producer entry of an event: an application of the event's owning team, whose identity
    (principals per environment) is declared in ``consumers/<owner>/<application>.yaml``."""

    application: str
    idempotent: bool
    index: int


@dataclass(frozen=True)
class TopicSettings:
    partitions: int
    retention_ms: int  # -1 = keep forever
    cleanup_policy: str  # delete | compact | compact,delete
    min_insync_replicas: int
    max_message_bytes: int
    name: str | None  # explicit legacy name; None = derived from domain and event


@dataclass(frozen=True)
class Compliance:
    vasi_id: str | None = None
    emass_id: str | None = None
    fisma_level: str | None = None  # Low | Moderate | High
    ato_status: str | None = None  # ATO | cATO | IATO | none
    ato_expires: dt.date | None = None
    pta_date: dt.date | None = None
    pia_date: dt.date | None = None
    data_sharing_agreement: str | None = None
    obi_approvals: tuple[ObiApproval, ...] = ()


@dataclass(frozen=True)
class ObiApproval:
    event: str
    reference: str
    environments: tuple[str, ...]
    index: int


@dataclass(frozen=True)
class SchemaVersion:
    """One ``v<N>.avsc`` file. ``schema`` is the parsed JSON (None if unparsable)."""

    version: int
    path: str
    text: str
    schema: Any
    digest: str


@dataclass(frozen=True)
class Example:
    path: str
    payload: Any


@dataclass(frozen=True)
class Event:
    domain: str
    name: str  # folder name, snake_case
    title: str
    summary: str
    description: str
    owner: str
    lifecycle: str
    deprecated_on: dt.date | None
    removal_date: dt.date | None
    classification: str
    bip_sourced: bool
    source_systems: tuple[SourceSystem, ...]
    producers: tuple[Producer, ...]
    topic: TopicSettings
    compatibility: str
    key_declared: bool  # event.yaml names key.avsc under schema.key
    access_policy: str  # open | restricted
    allowed_consumers: tuple[str, ...]  # "<team>/<application>"
    tags: tuple[str, ...]
    compliance: Compliance | None
    versions: tuple[SchemaVersion, ...]
    key_schema: SchemaVersion | None
    examples: tuple[Example, ...]
    folder: str
    declared_domain: str  # as written in event.yaml (must equal the folder)
    pos: Positions
    replaced_by: str | None = None  # "<domain>/<event>" that replaces a deprecated or retired event
    replaces: str | None = None  # "<domain>/<event>" this event says it succeeds (optional: that event's replaced_by names this one)

    @cached_property
    def ref(self) -> str:
        """How consumers refer to this event: ``<domain>/<event>``."""
        return naming.event_ref(self.domain, self.name)

    @property
    def file(self) -> str:
        return self.pos.file

    @cached_property
    def topic_name(self) -> str:
        """Base topic name (before any environment suffix)."""
        return naming.base_topic(self.domain, self.name, self.topic.name)

    @property
    def latest(self) -> SchemaVersion | None:
        return self.versions[-1] if self.versions else None

    @property
    def sensitive(self) -> bool:
        return self.classification in ("PII", "PHI")


@dataclass(frozen=True)
class Subscription:
    event: str  # "<domain>/<event>"
    purpose: str
    environments: tuple[str, ...]
    index: int
    fields: tuple[str, ...] = ()  # dotted paths of the fields the application reads; () = not declared (reads every field)


@dataclass(frozen=True)
class ConsumerGroup:
    name: str
    prefix: bool


@dataclass(frozen=True)
class Consumer:
    """An application (``consumers/<team>/<application>.yaml``): the one place its identity is
    declared (principals per environment, consumer group) and the events it subscribes to.
    An application that only produces has no subscriptions."""

    team: str  # folder
    application: str
    description: str
    principals: Mapping[str, tuple[str, ...]]
    consumer_group: ConsumerGroup
    subscriptions: tuple[Subscription, ...]
    compliance: Compliance
    declared_team: str  # as written in the file (must equal the folder)
    declared_application: str  # as written in the file (must equal the file name)
    pos: Positions

    @cached_property
    def ref(self) -> str:
        return naming.app_ref(self.team, self.application)

    @property
    def file(self) -> str:
        return self.pos.file


@dataclass(frozen=True)
class Registry:
    root: str
    teams: tuple[Team, ...]
    events: tuple[Event, ...]
    consumers: tuple[Consumer, ...]
    stacks: tuple  # eventbus.load.stacks.StackConfig, one per Pulumi.<stack>.yaml
    adoptions: tuple = ()  # eventbus.model.adoption.Adoption, one per adopt/<stack>.yaml

    @cached_property
    def adoptions_by_stack(self) -> dict:
        return {a.stack: a for a in self.adoptions}

    def adoption(self, stack: str):
        """The stack's adoption record (``adopt/<stack>.yaml``), or None."""
        return self.adoptions_by_stack.get(stack)

    @cached_property
    def events_by_ref(self) -> dict[str, Event]:
        return {e.ref: e for e in self.events}

    @cached_property
    def teams_by_id(self) -> dict[str, Team]:
        return {t.id: t for t in self.teams}

    @cached_property
    def consumers_by_ref(self) -> dict[str, Consumer]:
        return {c.ref: c for c in self.consumers}

    def producer_app(self, e: Event, p: Producer) -> Consumer | None:
        """The application file a producer entry refers to: ``<owner>/<application>``."""
        return self.consumers_by_ref.get(f"{e.owner}/{p.application}")

    @cached_property
    def environments(self) -> tuple[str, ...]:
        return tuple(sorted({s.environment for s in self.stacks}))

    @cached_property
    def predecessors(self) -> dict[str, tuple[str, ...]]:
        """Event ref -> the refs of the events whose ``replaced_by`` names it (sorted)."""
        out: dict[str, list[str]] = {}
        for e in self.events:
            if e.replaced_by:
                out.setdefault(e.replaced_by, []).append(e.ref)
        return {k: tuple(sorted(v)) for k, v in out.items()}

    @cached_property
    def subscribers(self) -> dict[str, tuple[tuple[Consumer, Subscription], ...]]:
        """Event ref -> the (consumer, subscription) pairs that name it."""
        out: dict[str, list] = {}
        for c in self.consumers:
            for s in c.subscriptions:
                out.setdefault(s.event, []).append((c, s))
        return {k: tuple(v) for k, v in out.items()}


def merged_events(events, base: Registry | None) -> dict[str, Event]:
    """Each event's merged self at ``base``, by the event's ref: the base event of the same ref, or,
    for an event whose folder moved (or was renamed) with its topic name kept, the base event of
    that topic whose ref is gone (event-removal lets such a move through, so its history follows it)."""
    if base is None:
        return {}
    old = base.events_by_ref
    refs = {e.ref for e in events}
    moved = {o.topic_name: o for o in base.events if o.ref not in refs}
    out: dict[str, Event] = {}
    for e in events:
        prior = old.get(e.ref) or moved.get(e.topic_name)
        if prior is not None:
            out[e.ref] = prior
    return out
