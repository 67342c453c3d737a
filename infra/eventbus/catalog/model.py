"""The catalog's one input model: everything any exporter shows, built once.

Built from the registry model and each stack's desired state
(:func:`eventbus.desired.compute`). Topic names, grants, roles, consumer
groups, subjects and application refs are *read* from the desired state (its
read indexes: ``topic_by_event``, ``readers_by_topic``, ``subjects_by_event``,
``role_arns``, …), never re-derived here. What this module adds is what only
the catalog needs: labels, paths of pages, per-version field tables and
diffs with the field-level contracts on them (each field's classification badge, the
applications that declare they read it, the consumers a breaking change affects), the reviewer lists (sensitive data, deprecations, expiring compliance)
and the facts of the build (commit, date, schema ids once deployed).
"""
from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property

from eventbus.avro.contract import dotted, mentions_classification, reads, schema_fields
from eventbus.catalog.schema_view import FieldRow, RecordInfo, field_names, field_rows, record_info
from eventbus.desired import AppSpec, DesiredState, SubjectSpec, TopicSpec
from eventbus.model import Compliance, Consumer, Event, Producer, Registry, SchemaVersion, Subscription, Team, naming
from eventbus.model.stack import StackConfig

DAY_MS = 86_400_000
EXPIRY_WINDOW_DAYS = 90  # reviewer view: compliance facts that expire within this many days (or already have)
PTA_DAYS = 366  # a PTA is renewed yearly (rule compliance-expiry)
PIA_DAYS = 3 * 366  # a PIA every three years


# -- the build ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Stamp:
    """Which commit (and its date) the catalog was built from."""

    commit: str | None = None
    date: dt.date | None = None
    dirty: bool = False  # the registry files had uncommitted changes

    @property
    def short(self) -> str:
        return self.commit[:12] if self.commit else ""

    @property
    def text(self) -> str:
        if not self.commit:
            return "an unversioned tree" + (f" on {self.date.isoformat()}" if self.date else "")
        return f"commit {self.short}{' + uncommitted changes' if self.dirty else ''} of {self.date.isoformat() if self.date else '?'}"


def stamp_later(root: str) -> Callable[[], Stamp]:
    """The work tree's HEAD commit, its commit date and whether the registry's files differ from it (deterministic:
    the same commit gives the same stamp), asked now and answered by the function returned: git's two questions run
    as processes of their own, beside each other and whatever this process does next."""
    args = (("log", "-1", "--format=%H %cs"),
            ("status", "--porcelain", "--untracked-files=no", "--", "events", "consumers", "teams", ":(glob)Pulumi.*.yaml"))
    procs: list[subprocess.Popen | None] = []
    for a in args:
        try:
            procs.append(subprocess.Popen(["git", "-C", root, *a], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                          stderr=subprocess.DEVNULL, text=True))
        except OSError:
            procs.append(None)

    def answer(proc: subprocess.Popen | None) -> str | None:
        if proc is None:
            return None
        try:
            out, _ = proc.communicate(timeout=20)
        except subprocess.SubprocessError:
            proc.kill()
            proc.communicate()
            return None
        return out.strip() if proc.returncode == 0 else None

    def result() -> Stamp:
        line, status = answer(procs[0]), answer(procs[1])
        if not line or " " not in line:
            return Stamp()
        commit, day = line.split(" ", 1)
        try:
            date = dt.date.fromisoformat(day)
        except ValueError:
            date = None
        return Stamp(commit if re.fullmatch(r"[0-9a-f]{40,64}", commit) else None, date, bool(status))

    return result


# -- stacks ------------------------------------------------------------------------------------------------------
class StackView:
    """One stack and its desired state, as the pages show it. Connection, registry, grants and role ARNs are the
    desired state's (``state.connection``, ``state.registry``, ``state.readers``, ``state.role_arn``)."""

    def __init__(self, config: StackConfig, state: DesiredState, schema_ids: dict | None = None, base_url: str | None = None):
        self.config = config
        self.state = state
        self.registry = state.registry  # kind (confluent | glue | none), name, url
        self.schema_ids: dict[str, dict[int, int]] = schema_ids or {}
        raw_cat = config.raw.get("eventbus:catalog") if isinstance(config.raw, dict) else None
        url = base_url or (raw_cat.get("url") if isinstance(raw_cat, dict) else None)
        self.base_url: str | None = (url.rstrip("/") + "/") if isinstance(url, str) and url.startswith("https://") else None

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def environment(self) -> str:
        return self.state.environment

    @property
    def local(self) -> bool:
        return self.state.target == "local"

    @property
    def label(self) -> str:
        """How pages name the stack. A local stack is never called by the environment it mirrors ("prod")."""
        if self.local:
            return f"{self.name} (this machine)"
        if self.name == self.environment:
            return self.name
        return f"{self.environment} ({self.name} stack)"

    @property
    def note(self) -> str:
        if self.local:
            return (f"a broker on this machine ({self.servers}) with synthetic data, mirroring the "
                    f"{self.environment} subscriptions; not {self.environment}")
        return f"AWS MSK, environment {self.environment}"

    @property
    def iam(self) -> bool:
        return self.state.connection.iam

    @property
    def region(self) -> str:
        return self.state.connection.region or self.config.region or "us-gov-west-1"

    @property
    def servers(self) -> str:
        return ",".join(self.state.connection.bootstrap_servers)

    @property
    def protocol(self) -> str:
        return self.state.connection.security_protocol

    @property
    def sasl_mechanism(self) -> str:
        return self.state.connection.sasl_mechanism

    def topic(self, event_ref: str) -> TopicSpec | None:
        return self.state.topic_by_event.get(event_ref)

    def readers(self, topic: str) -> tuple[AppSpec, ...]:
        return self.state.readers.get(topic, ())

    def writers(self, topic: str) -> tuple[AppSpec, ...]:
        return self.state.writers.get(topic, ())

    def subjects(self, event_ref: str) -> tuple[SubjectSpec, ...]:
        return tuple(sorted(self.state.subjects_by_event.get(event_ref, ()), key=lambda s: s.kind != "value"))

    def subject(self, event_ref: str, kind: str = "value") -> SubjectSpec | None:
        return next((s for s in self.state.subjects_by_event.get(event_ref, ()) if s.kind == kind), None)

    def app(self, ref: str) -> AppSpec | None:
        return self.state.apps_by_ref.get(ref)

    def role_arn(self, app_ref: str) -> str | None:
        return self.state.role_arn(app_ref)

    def schema_id(self, subject: str, version: int) -> int | None:
        return (self.schema_ids.get(subject) or {}).get(version)

    def page_url(self, rel: str) -> str | None:
        return self.base_url + rel if self.base_url else None


# -- events ------------------------------------------------------------------------------------------------------
@dataclass
class VersionView:
    """One value schema version: its field table (computed once) and its page."""

    version: SchemaVersion
    rows: list[FieldRow]
    event_dir: str  # events/<domain>/<event>

    @property
    def number(self) -> int:
        return self.version.version

    @property
    def path(self) -> str:
        return f"{self.event_dir}/v{self.number}.html"

    @property
    def avsc_path(self) -> str:
        return f"{self.event_dir}/v{self.number}.avsc"

    @cached_property
    def record(self) -> RecordInfo | None:
        return record_info(_schema_json(self.version))


@dataclass
class EventView:
    event: Event
    versions: list[VersionView]
    key_rows: list[FieldRow]
    subscribers: tuple[tuple[Consumer, Subscription], ...]
    slug: str  # metadata.name style: claims-contention-created
    replaced_by: EventView | None = None
    replaces: list[EventView] = field(default_factory=list)

    @cached_property
    def ref(self) -> str:
        return self.event.ref

    @property
    def dir(self) -> str:
        return f"events/{self.event.domain}/{self.event.name}"

    @property
    def path(self) -> str:
        return f"{self.dir}.html"

    @property
    def key_path(self) -> str:
        return f"{self.dir}/key.avsc"

    @property
    def asyncapi_path(self) -> str:
        return f"asyncapi/events/{self.event.domain}/{self.event.name}.json"

    @property
    def latest(self) -> VersionView | None:
        return self.versions[-1] if self.versions else None

    @cached_property
    def key_record(self) -> RecordInfo | None:
        return record_info(_schema_json(self.event.key_schema)) if self.event.key_schema is not None else None

    @cached_property
    def consumer_refs(self) -> list[str]:
        return list(dict.fromkeys(c.ref for c, _ in self.subscribers))

    @cached_property
    def diffs(self):
        """Per version (oldest first): its changes against the previous one, each marked safe or breaking."""
        from eventbus.catalog.versions import diff_versions

        out = []
        prev, prev_view = None, None
        for v in self.versions:
            cur = (v.number, v.version.text, v.rows)
            parsed = v.version.schema is not None
            records = (prev_view.record, v.record) if parsed and prev_view is not None else None
            d = diff_versions(self.event.compatibility, prev if parsed else None, cur, records)
            if self.declared and d.changes:
                d.changes = [replace(c, readers=declared_readers(self.declared, c.path)) for c in d.changes]
            out.append(d)
            if parsed:
                prev, prev_view = cur, v
        return out

    @cached_property
    def classified_fields(self) -> tuple[tuple[str, str], ...]:
        """(dotted path, PII | PHI) of the latest version's classified fields, in schema order."""
        latest = self.latest
        if latest is None:
            return ()
        return tuple(dict.fromkeys((dotted(r.path), r.badges[0]) for r in latest.rows if r.badges))

    def classified_read(self, s: Subscription) -> tuple[tuple[str, str], ...]:
        """The classified fields of the latest version that subscription ``s`` reads (all of them when
        it declares no ``fields:``)."""
        return tuple((p, level) for p, level in self.classified_fields if reads(s.fields, p))

    @cached_property
    def declared(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """(application ref, the dotted paths it declares) for the subscriptions that declare ``fields:``."""
        return tuple((c.ref, s.fields) for c, s in self.subscribers if s.fields)

    def affected(self, diff) -> list[tuple[Consumer, str]]:
        """The subscribers a breaking version diff affects, each with why: it reads every field (declares
        none), or it declares a field a breaking change touches. A problem no field change explains
        (a renamed record, ...) affects every subscriber."""
        if not diff.breaking:
            return []
        broken = [dotted(c.path) for c in diff.changes if c.breaking]
        out: list[tuple[Consumer, str]] = []
        for c, s in self.subscribers:
            if not s.fields:
                out.append((c, "reads every field: declares no fields"))
            elif diff.unmatched:
                out.append((c, "the change is to the whole record"))
            else:
                hit = [p for p in broken if reads(s.fields, p)]
                if hit:
                    out.append((c, "reads " + ", ".join(hit)))
        return list({c.ref: (c, why) for c, why in out}.values())

    @cached_property
    def search_fields(self) -> list[str]:
        names: dict[str, None] = {}
        for v in self.versions:
            for n in field_names(v.rows):
                names[n] = None
        for n in field_names(self.key_rows):
            names[n] = None
        return list(names)


# -- applications ------------------------------------------------------------------------------------------------
@dataclass
class AppView:
    """An application: its file (``consumers/<team>/<application>.yaml``), the events that name it as producer,
    its subscriptions, and its access per stack from the desired state."""

    ref: str
    team: str
    application: str
    consumer: Consumer | None = None  # the application's file (producers have one too)
    produces: list[tuple[Event, Producer]] = field(default_factory=list)
    specs: list[tuple[StackView, AppSpec]] = field(default_factory=list)
    consumes: list[tuple[EventView, Subscription]] = field(default_factory=list)

    @property
    def path(self) -> str:
        return f"apps/{self.team}/{self.application}.html"

    @property
    def description(self) -> str:
        if self.consumer is not None and self.consumer.description:
            return self.consumer.description
        if self.produces:
            return f"Produces {', '.join(e.title for e, _ in self.produces[:3])}{' …' if len(self.produces) > 3 else ''}."
        return ""

    @property
    def deprecated_subscriptions(self) -> list[tuple[EventView, Subscription]]:
        return [(i, s) for i, s in self.consumes if i.event.lifecycle in ("deprecated", "retired")]


# -- reviewer facts ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Expiry:
    what: str  # ATO | PTA | PIA
    owner_kind: str  # application | event
    ref: str
    due: dt.date  # the date it expires (ATO) or is due for renewal (PTA, PIA)
    signed: dt.date | None  # PTA / PIA date
    days_left: int  # negative: overdue

    @property
    def status(self) -> str:
        return "expired" if self.days_left < 0 else "expires soon"


def expiries(k: Compliance | None, owner_kind: str, ref: str, today: dt.date) -> list[Expiry]:
    """Every dated compliance fact of ``k``, with the day it lapses."""
    if k is None:
        return []
    out = []
    if k.ato_expires:
        out.append(Expiry("ATO", owner_kind, ref, k.ato_expires, None, (k.ato_expires - today).days))
    if k.pta_date:
        due = k.pta_date + dt.timedelta(days=PTA_DAYS)
        out.append(Expiry("PTA", owner_kind, ref, due, k.pta_date, (due - today).days))
    if k.pia_date:
        due = k.pia_date + dt.timedelta(days=PIA_DAYS)
        out.append(Expiry("PIA", owner_kind, ref, due, k.pia_date, (due - today).days))
    return out


def days_between(a: dt.date | None, b: dt.date) -> int | None:
    return None if a is None else (a - b).days


# -- the catalog -------------------------------------------------------------------------------------------------
def slug(ref: str) -> str:
    """Backstage-style entity name: lowercase, hyphens, at most 63 characters."""
    s = re.sub(r"[^a-z0-9]+", "-", ref.lower()).strip("-") or "event"
    return _hashed(s, ref) if len(s) > 63 else s


def _hashed(s: str, key: str) -> str:
    """``s`` cut to 54 characters with a hash of ``key``: at most 63, and distinct per key."""
    import hashlib

    return s[:54].rstrip("-") + "-" + hashlib.sha256(key.encode()).hexdigest()[:8]


def distinct_slugs(parts: list[tuple[str, str, str]]) -> dict[str, str]:
    """``key -> slug(f"{a}-{b}")`` for each ``(key, a, b)``, no two alike: ``claims/contention_created`` and
    ``claims_contention/created`` (or applications ``va-gov/status-tracker`` and ``va/gov-status-tracker``) give one
    slug, so one entity would stand for both. Those all get a hash of their key instead: none keeps the slug, so a
    newcomer never takes over the name (and the relations, links and history in the portal) of an entity already
    there."""
    from collections import Counter

    plain = {key: slug(f"{a}-{b}") for key, a, b in parts}
    count = Counter(plain.values())
    return {key: s if count[s] == 1 else _hashed(s, key) for key, s in plain.items()}


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
    events: list[EventView]
    apps: dict[str, AppView]
    teams: dict[str, Team]
    today: dt.date
    stamp: Stamp

    @cached_property
    def events_by_ref(self) -> dict[str, EventView]:
        return {e.ref: e for e in self.events}

    @cached_property
    def events_by_owner(self) -> dict[str, list[EventView]]:
        out: dict[str, list[EventView]] = {}
        for e in self.events:
            out.setdefault(e.event.owner, []).append(e)
        return out

    @cached_property
    def apps_by_team(self) -> dict[str, list[AppView]]:
        out: dict[str, list[AppView]] = {}
        for a in self.apps.values():
            out.setdefault(a.team, []).append(a)
        return out

    @cached_property
    def domains(self) -> list[str]:
        return sorted({e.event.domain for e in self.events})

    @cached_property
    def events_by_domain(self) -> dict[str, list[EventView]]:
        out: dict[str, list[EventView]] = {}
        for e in self.events:
            out.setdefault(e.event.domain, []).append(e)
        return out

    @cached_property
    def owners(self) -> list[str]:
        return sorted({e.event.owner for e in self.events})

    @property
    def stacks_text(self) -> str:
        return ", ".join(s.label for s in self.stacks) or "no stack"

    def team_name(self, tid: str) -> str:
        t = self.teams.get(tid)
        return t.name if t else tid

    def retention_days(self, e: Event) -> int:
        """Retention as deployed (read from the desired state's topic config), in days; -1 = forever."""
        ms = e.topic.retention_ms  # a retired event has no topic anywhere: its declared setting
        for s in self.stacks:
            t = s.topic(e.ref)
            if t is not None:
                ms = int(t.config_dict.get("retention.ms", ms))
                break
        if ms < 0:
            return -1
        return max(1, round(ms / DAY_MS)) if ms else 0  # a few hours still shows as 1 day

    # -- reviewer lists --------------------------------------------------------------------------------------
    def sensitive_consumers(self, info: EventView) -> list[tuple[Consumer, Subscription, list[tuple[StackView, bool]], list[str]]]:
        """A PII/PHI event's consumers: (consumer, subscription, [(stack, granted)], OBI references for the event)."""
        rows = []
        for c, s in info.subscribers:
            obi = [a.reference for a in c.compliance.obi_approvals if a.event == info.ref]
            rows.append((c, s, self.access(info, c, s), obi))
        return rows

    def access(self, info: EventView, c: Consumer, s: Subscription) -> list[tuple[StackView, bool]]:
        """For each built stack where the subscription applies and the event has a topic: whether the desired state grants it."""
        out = []
        for view in self.stacks:
            t = view.topic(info.ref)
            if t is None or view.environment not in s.environments:
                continue
            out.append((view, any(a.ref == c.ref for a in view.readers(t.name))))
        return out

    def deprecations(self) -> list[tuple[EventView, int | None]]:
        """Deprecated (and retired) events with the days left until their removal date (negative: past it)."""
        out = [(i, days_between(i.event.removal_date, self.today)) for i in self.events if i.event.lifecycle in ("deprecated", "retired")]
        return sorted(out, key=lambda x: (x[0].event.lifecycle == "retired", x[1] if x[1] is not None else 10**6, x[0].ref))

    def expiring(self, window: int = EXPIRY_WINDOW_DAYS) -> list[Expiry]:
        """Compliance facts of applications and events that lapse within ``window`` days or already have, soonest first."""
        out = []
        for a in self.apps.values():
            if a.consumer is not None:
                out += [x for x in expiries(a.consumer.compliance, "application", a.ref, self.today) if x.days_left <= window]
        for i in self.events:
            out += [x for x in expiries(i.event.compliance, "event", i.ref, self.today) if x.days_left <= window]
        return sorted(out, key=lambda x: (x.days_left, x.what, x.ref))


def producer_ref(e: Event, p: Producer) -> str:
    """The application ref of an event's producer (an application of the owning team)."""
    return naming.app_ref(e.owner, p.application)


def declared_readers(declared: tuple[tuple[str, tuple[str, ...]], ...], walk_path: str) -> tuple[str, ...]:
    """The applications among ``declared`` whose declared fields read the field at ``walk_path``."""
    path = dotted(walk_path)
    return tuple(ref for ref, fields in declared if reads(fields, path))


def contract_rows(v: SchemaVersion, declared: tuple[tuple[str, tuple[str, ...]], ...]) -> list[FieldRow]:
    """The field table of one schema version with each row's classification badge (PII/PHI, its own
    or inherited from an enclosing field, see :mod:`eventbus.avro.contract`) and the applications
    that declare they read it. A schema without classification properties is not walked twice."""
    schema = _schema_json(v)
    rows = field_rows(schema)
    classes: dict[str, str] = {}
    if schema is not None and mentions_classification(v.text, v.digest):
        classes = {f.path: f.classification for f in schema_fields(schema, v.digest).classified}
    if not classes and not declared:
        return rows
    out = []
    for r in rows:
        level = classes.get(dotted(r.path))
        readers = declared_readers(declared, r.path) if declared else ()
        out.append(r._replace(badges=(level,) if level else (), readers=readers) if level or readers else r)
    return out


def _cached_rows(rows: dict, v: SchemaVersion, declared: tuple[tuple[str, tuple[str, ...]], ...]) -> list[FieldRow]:
    key = (v.digest, v.schema is not None, declared)
    got = rows.get(key)
    if got is None:
        got = rows[key] = contract_rows(v, declared)
    return got


def build_model(registry: Registry, states: list[tuple[StackConfig, DesiredState]], *, schema_ids: dict | None = None,
                today: dt.date | None = None, stamp: Stamp | None = None, base_urls: dict[str, str] | None = None,
                rows: dict | None = None) -> Catalog:
    """The catalog of ``registry`` for the given stacks (cloud stacks first, a local mirror last). ``rows``: field rows
    computed before, ``{(schema digest, declared fields): rows}``; the rows of this build are added to it."""
    stamp = stamp or Stamp()
    today = today or stamp.date or dt.date.today()
    schema_ids = schema_ids or {}
    base_urls = base_urls or {}
    views = sorted((StackView(c, s, schema_ids.get(c.name), base_urls.get(c.name)) for c, s in states),
                   key=lambda v: (v.local, v.name))
    subscribers = registry.subscribers
    events: list[EventView] = []
    for e in sorted(registry.events, key=lambda e: (e.domain, e.name)):
        d = f"events/{e.domain}/{e.name}"
        subs = subscribers.get(e.ref, ())
        declared = tuple((c.ref, s.fields) for c, s in subs if s.fields)
        if rows is None:
            versions = [VersionView(v, contract_rows(v, declared), d) for v in e.versions]
            key_rows = contract_rows(e.key_schema, ()) if e.key_schema is not None else []
        else:
            versions = [VersionView(v, _cached_rows(rows, v, declared), d) for v in e.versions]
            key_rows = _cached_rows(rows, e.key_schema, ()) if e.key_schema is not None else []
        events.append(EventView(e, versions, key_rows, subs, ""))
    slugs = distinct_slugs([(i.ref, i.event.domain, i.event.name) for i in events])
    for i in events:
        i.slug = slugs[i.ref]
    by_ref = {i.ref: i for i in events}
    for i in events:
        target = by_ref.get(i.event.replaced_by or "")
        if target is not None and target is not i:
            i.replaced_by = target
            target.replaces.append(i)

    apps: dict[str, AppView] = {}
    for view in views:  # the desired state's applications (refs, roles, groups, grants)
        for spec in view.state.apps:
            a = apps.get(spec.ref)
            if a is None:
                a = apps[spec.ref] = AppView(spec.ref, spec.team, spec.application)
            a.specs.append((view, spec))
    for c in registry.consumers:  # application files without access on any built stack still get their page
        a = apps.get(c.ref)
        if a is None:
            a = apps[c.ref] = AppView(c.ref, c.team, c.application)
        a.consumer = c
    for e in registry.events:
        for p in e.producers:
            ref = producer_ref(e, p)
            a = apps.get(ref)
            if a is None:
                a = apps[ref] = AppView(ref, e.owner, p.application)
            a.produces.append((e, p))
    for info in events:
        for c, s in info.subscribers:
            a = apps.get(c.ref)
            if a is not None:
                a.consumes.append((info, s))
    apps = dict(sorted(apps.items()))
    return Catalog(registry, views, events, apps, dict(sorted(registry.teams_by_id.items())), today, stamp)
