"""What the catalog shows, gathered once: the registry model plus each stack's desired state.

Nothing here re-derives a topic name, a grant, a role or a subject: they are
read from :func:`eventbus.desired.state.compute`. This module only indexes
them (event -> topic per stack, topic -> applications with access, …) so that
every page is built in time proportional to its own size.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cached_property

from eventbus.catalog.schema_view import FieldRow, field_names, field_rows
from eventbus.model.stack import StackConfig
from eventbus.desired import AppSpec, DesiredState, SubjectSpec, TopicSpec
from eventbus.model import Consumer, Event, Producer, Registry, SchemaVersion, Subscription, Team

DAY_MS = 86_400_000


@dataclass
class StackView:
    """One stack (deployment target) and its desired state, indexed for the pages."""

    config: StackConfig
    state: DesiredState
    topic_by_event: dict[str, TopicSpec] = field(default_factory=dict)
    apps: dict[str, AppSpec] = field(default_factory=dict)
    readers: dict[str, list[AppSpec]] = field(default_factory=dict)  # topic -> consuming apps
    writers: dict[str, list[AppSpec]] = field(default_factory=dict)  # topic -> producing apps
    subjects: dict[str, list[SubjectSpec]] = field(default_factory=dict)  # event ref -> subjects

    @classmethod
    def build(cls, config: StackConfig, state: DesiredState) -> "StackView":
        v = cls(config, state)
        v.topic_by_event = {t.event: t for t in state.topics}
        v.apps = {a.ref: a for a in state.apps}
        for a in state.apps:
            for t in a.consumes:
                v.readers.setdefault(t, []).append(a)
            for t in a.produces:
                v.writers.setdefault(t, []).append(a)
        for s in state.subjects:
            v.subjects.setdefault(s.event, []).append(s)
        return v

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def environment(self) -> str:
        return self.state.environment

    @property
    def label(self) -> str:
        if self.config.name == self.state.environment:
            return self.config.name
        return f"{self.state.environment} ({self.config.name} stack)"

    @property
    def iam(self) -> bool:
        return self.config.cluster.sasl_mechanism == "aws-iam"

    @property
    def region(self) -> str:
        return self.config.region or self.config.cluster.region or "us-gov-west-1"

    def role_arn(self, app: AppSpec | None) -> str | None:
        """ARN of the application's generated role (the role is created in the cluster's account)."""
        if app is None or not app.role:
            return None
        return self.role_arn_for(app.role)

    def role_arn_for(self, role_name: str) -> str:
        account = self.config.cluster.account or "<account-id>"
        return f"arn:{self.config.partition}:iam::{account}:role/{role_name}"


@dataclass
class Version:
    """One value schema version, its rows computed once for the table, the diff and the search."""

    version: SchemaVersion
    rows: list[FieldRow]

    @property
    def number(self) -> int:
        return self.version.version


@dataclass
class EventInfo:
    event: Event
    versions: list[Version]
    key_rows: list[FieldRow]
    subscribers: tuple[tuple[Consumer, Subscription], ...]
    slug: str  # metadata.name style: claims-contention-created

    @property
    def ref(self) -> str:
        return self.event.ref

    @property
    def path(self) -> str:
        return f"events/{self.event.domain}/{self.event.name}.html"

    @property
    def asyncapi_path(self) -> str:
        return f"asyncapi/events/{self.event.domain}/{self.event.name}.json"

    @property
    def latest(self) -> Version | None:
        return self.versions[-1] if self.versions else None

    @cached_property
    def search_fields(self) -> list[str]:
        names: dict[str, None] = {}
        for v in self.versions:
            for n in field_names(v.rows):
                names[n] = None
        for n in field_names(self.key_rows):
            names[n] = None
        return list(names)


@dataclass
class AppInfo:
    """An application: a consumer file, a producer entry in event files, or both."""

    ref: str
    team: str
    application: str
    consumer: Consumer | None = None
    produces: list[tuple[Event, Producer]] = field(default_factory=list)

    @property
    def path(self) -> str:
        return f"apps/{self.team}/{self.application}.html"

    @property
    def description(self) -> str:
        if self.consumer is not None:
            return self.consumer.description
        if self.produces:
            return f"Produces {', '.join(e.title for e, _ in self.produces[:3])}{' …' if len(self.produces) > 3 else ''}."
        return ""


def slug(ref: str) -> str:
    """Backstage-style entity name: lowercase, hyphens, at most 63 characters."""
    s = re.sub(r"[^a-z0-9]+", "-", ref.lower()).strip("-") or "event"
    if len(s) > 63:
        import hashlib

        s = s[:54].rstrip("-") + "-" + hashlib.sha256(ref.encode()).hexdigest()[:8]
    return s


def _schema_json(v: SchemaVersion | None):
    if v is None:
        return None
    if v.schema is not None:
        return v.schema
    try:
        return json.loads(v.text)
    except ValueError:
        return None


@dataclass
class Catalog:
    registry: Registry
    stacks: list[StackView]
    events: list[EventInfo]
    apps: dict[str, AppInfo]
    teams: dict[str, Team]

    @cached_property
    def events_by_ref(self) -> dict[str, EventInfo]:
        return {e.ref: e for e in self.events}

    @cached_property
    def events_by_owner(self) -> dict[str, list[EventInfo]]:
        out: dict[str, list[EventInfo]] = {}
        for e in self.events:
            out.setdefault(e.event.owner, []).append(e)
        return out

    @cached_property
    def apps_by_team(self) -> dict[str, list[AppInfo]]:
        out: dict[str, list[AppInfo]] = {}
        for a in self.apps.values():
            out.setdefault(a.team, []).append(a)
        return out

    @cached_property
    def domains(self) -> list[str]:
        return sorted({e.event.domain for e in self.events})

    @cached_property
    def owners(self) -> list[str]:
        return sorted({e.event.owner for e in self.events})

    def team_name(self, tid: str) -> str:
        t = self.teams.get(tid)
        return t.name if t else tid

    def retention_days(self, e: Event) -> int:
        """Retention as deployed (read from the desired state's topic config), in days; -1 = forever."""
        ms = e.topic.retention_ms  # a retired event has no topic anywhere: its declared setting
        for s in self.stacks:
            t = s.topic_by_event.get(e.ref)
            if t is not None:
                ms = int(t.config_dict.get("retention.ms", ms))
                break
        if ms < 0:
            return -1
        return max(1, round(ms / DAY_MS)) if ms else 0  # a few hours still shows as 1 day


def gather(registry: Registry, stacks: list[tuple[StackConfig, DesiredState]]) -> Catalog:
    # cloud stacks first (prod before sandbox), the local mirror last
    views = sorted((StackView.build(c, s) for c, s in stacks), key=lambda v: (v.config.target == "local", v.name))
    subscribers = registry.subscribers
    events: list[EventInfo] = []
    for e in sorted(registry.events, key=lambda e: (e.domain, e.name)):
        versions = [Version(v, field_rows(_schema_json(v))) for v in e.versions]
        key_rows = field_rows(_schema_json(e.key_schema)) if e.key_schema is not None else []
        events.append(EventInfo(e, versions, key_rows, subscribers.get(e.ref, ()), slug(f"{e.domain}-{e.name}")))

    apps: dict[str, AppInfo] = {}
    for c in registry.consumers:
        apps[c.ref] = AppInfo(c.ref, c.team, c.application, consumer=c)
    for e in registry.events:
        for p in e.producers:
            ref = f"{e.owner}/{p.application}"
            a = apps.get(ref)
            if a is None:
                a = apps[ref] = AppInfo(ref, e.owner, p.application)
            a.produces.append((e, p))
    apps = dict(sorted(apps.items()))
    return Catalog(registry, views, events, apps, dict(sorted(registry.teams_by_id.items())))
