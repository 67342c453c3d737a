"""The draft: what the tree lacks of a stack's live bus, as files, adoption-record entries and a
report. Pure: a snapshot of the cluster and registry, the current tree and the choices in; no I/O.

Per live topic (internal ``_``/``__`` ones, ``--skip`` globs and ``skip`` in the map left out):

* a topic the tree already has on the stack is compared (partitions, replication, settings);
* a new one becomes ``events/<domain>/<event>/``: ``event.yaml`` with the live settings (and
  ``topic.name`` when the name is not ``<domain>_<event>``), ``v1.avsc``..``vN.avsc`` from the
  registry's versions of ``<topic>-value`` in order, ``key.avsc`` from ``<topic>-key``.

Per live identity (a Kafka principal with ACL bindings, or on IAM stacks a role whose policies
name the cluster) that is not an application of the tree yet: ``consumers/<team>/<app>.yaml``
with a subscription per topic it reads and a producer entry in each event it writes (the owner of
an event is the team of its producer); its legacy names (principal, consumer group, role) and the
bindings the tree does not derive go into the adoption record, so that the first deploy adopts
them and cuts nobody off. A team the tree lacks gets a stub. Whatever the cluster cannot know is
a ``FILL-IN:`` placeholder.
"""
from __future__ import annotations

import fnmatch
import json
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace

from eventbus.desired import compute
from eventbus.importer.choices import SNAKE, UNASSIGNED, Choices, app_id
from eventbus.importer.snapshot import Snapshot
from eventbus.load.placeholders import placeholder
from eventbus.load.registry import DAY_MS
from eventbus.load.yaml import dump_yaml
from eventbus.model import Registry, naming
from eventbus.model.adoption import fingerprint
from eventbus.model.stack import StackConfig

ARN = re.compile(r"^arn:aws(-us-gov)?:iam::[0-9]{12}:(role|user)/[A-Za-z0-9+=,.@_/-]{1,512}$")
MANAGED = ("cleanup.policy", "retention.ms", "min.insync.replicas", "max.message.bytes")
SCHEMA_HEADER = "# yaml-language-server: $schema={up}infra/eventbus/schemas/{kind}.schema.json\n"


@dataclass
class Report:
    written: list[str] = field(default_factory=list)
    differs: list[str] = field(default_factory=list)  # live vs tree or record: for the platform team to decide
    kept: list[str] = field(default_factory=list)  # live access the tree does not derive, kept by the record
    skipped: list[str] = field(default_factory=list)


@dataclass
class Draft:
    files: dict[str, str] = field(default_factory=dict)  # repository-relative path -> text (files the tree lacks)
    record: dict = field(default_factory=lambda: {"topics": {}, "subjects": {}, "applications": {}})  # entries to add
    report: Report = field(default_factory=Report)


@dataclass
class _Event:
    topic: str
    base: str
    domain: str
    name: str
    producers: dict[str, bool] = field(default_factory=dict)  # app ref -> idempotent

    @property
    def ref(self) -> str:
        return naming.event_ref(self.domain, self.name)


@dataclass
class _App:
    ref: str
    identity: str  # User:<name> or role/<name>
    produces: set[str] = field(default_factory=set)  # topics
    consumes: set[str] = field(default_factory=set)
    group: tuple[str, bool] | None = None
    idempotent: bool = False
    principals: tuple[str, ...] = ()
    bindings: set[tuple] = field(default_factory=set)  # live ACL identities (Kafka)
    existing: bool = False  # an application of the tree already: only its writes to new topics count (a new event lists it)

    @property
    def team(self) -> str:
        return self.ref.split("/")[0]

    @property
    def application(self) -> str:
        return self.ref.split("/")[1]


def _yaml(kind: str, up: str, doc: dict) -> str:
    return SCHEMA_HEADER.format(up=up, kind=kind) + dump_yaml(doc)


def _retention_days(ms: str | None, topic: str, report: Report) -> int:
    value = int(ms) if ms not in (None, "") else 7 * DAY_MS
    if value < 0:
        return -1
    days = max(1, math.ceil(value / DAY_MS))
    if value != days * DAY_MS:
        report.differs.append(f"topic {topic}: retention.ms {value} is not whole days; the tree says {days} days (the deploy would change it)")
    return days


def _cleanup(value: str | None) -> str:
    parts = sorted({p.strip() for p in (value or "delete").split(",") if p.strip()})
    return ",".join(parts) if parts else "delete"


def _title(name: str) -> str:
    title = name.replace("_", " ").capitalize()
    return title if len(title) >= 3 else f"{title} event"


def _schema_text(text: str) -> tuple[str, object | None]:
    """The registry's schema text as a file (indented JSON, parsed again when checked), and its parse."""
    try:
        parsed = json.loads(text)
        body = json.dumps(parsed, indent=2, ensure_ascii=False) + "\n"
        body.encode("utf-8")  # a lone surrogate (``"\\ud800"``) is JSON but no UTF-8 text (nor a fingerprint)
    except (ValueError, RecursionError):  # not JSON, nested too deep to parse, or not UTF-8
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
        return text if text.endswith("\n") else text + "\n", None
    return body, parsed


class _Drafter:
    def __init__(self, tree: Registry, stack: StackConfig, snap: Snapshot, choices: Choices, skip: tuple[str, ...]):
        self.tree, self.stack, self.snap, self.choices, self.skip = tree, stack, snap, choices, skip
        self.state = compute(tree, stack)
        self.record = tree.adoption(stack.name)
        self.draft = Draft()
        self.events: dict[str, _Event] = {}  # topic -> new event
        self.apps: dict[str, _App] = {}  # ref -> new application
        self.env = stack.environment
        # the names every application of the tree has on this stack (derived, or kept by the record)
        self.users: dict[str, str] = {}
        self.roles: dict[str, str] = {}
        for c in tree.consumers:
            legacy = self.record.applications.get(c.ref) if self.record else None
            names = naming.app_names(c.team, c.application, stack.role_prefix, c.consumer_group.name, c.consumer_group.prefix, legacy)
            self.users[names.kafka_user] = c.ref
            self.roles[names.role] = c.ref

    # -- topics ---------------------------------------------------------------------------------
    def topics(self) -> None:
        rep = self.draft.report
        taken = set(self.tree.events_by_ref)
        for name, t in sorted(self.snap.kafka.topics.items()):
            if name.startswith("_") or any(fnmatch.fnmatchcase(name, g) for g in self.skip):
                rep.skipped.append(f"topic {name}: internal or skipped")
                continue
            spec = self.state.topics_by_name.get(name)
            if spec is not None:
                self._compare(t, spec)
                continue
            suffix = self.stack.topic_suffix
            if suffix and not name.endswith(suffix):
                rep.skipped.append(f"topic {name}: does not end with the stack's suffix {suffix}, so no event of this stack can name it")
                continue
            base = name[: len(name) - len(suffix)] if suffix else name
            if not SNAKE.fullmatch(base):
                rep.skipped.append(f"topic {name}: not lowercase snake_case, which topic.name requires")
                continue
            choice = self.choices.topic(base)
            if choice is None:
                rep.skipped.append(f"topic {name}: skipped (import map)")
                continue
            ev = _Event(name, base, *choice)
            if ev.ref in taken:
                rep.skipped.append(f"topic {name}: events/{ev.ref}/ is already another topic's event (choose another domain or event in the import map)")
                continue
            taken.add(ev.ref)
            self.events[name] = ev

    def _compare(self, t, spec) -> None:
        rep = self.draft.report
        if t.partitions != spec.partitions:
            worse = " (fewer in the tree: Kafka cannot remove partitions)" if spec.partitions < t.partitions else ""
            rep.differs.append(f"topic {t.name}: {t.partitions} partitions on the cluster, {spec.partitions} in the tree{worse}")
        if t.replication_factor != spec.replication_factor:
            rep.differs.append(f"topic {t.name}: replication factor {t.replication_factor} on the cluster, {spec.replication_factor} in the tree")
        want = spec.config_dict
        for k in MANAGED:
            if k in want and t.config.get(k) != want[k]:
                rep.differs.append(f"topic {t.name}: {k}={t.config.get(k)} on the cluster, {want[k]} in the tree")
        for k, v in sorted(t.overrides.items()):
            if k not in want:
                rep.differs.append(f"topic {t.name}: {k}={v} is set on the cluster but not in the tree (a deploy resets it)")
        found = self.record.topics.get(t.name) if self.record else None
        if found is not None and found.topic_id and t.topic_id and found.topic_id != t.topic_id:
            rep.differs.append(f"topic {t.name}: topic id {t.topic_id} on the cluster, {found.topic_id} in the adoption record (recreated since?)")
        if found is not None and t.partitions != found.partitions:
            rep.differs.append(f"topic {t.name}: {t.partitions} partitions on the cluster, {found.partitions} in the adoption record")

    # -- identities -----------------------------------------------------------------------------
    def kafka_identities(self) -> None:
        by_principal: dict[str, set[tuple]] = defaultdict(set)
        for b in self.snap.kafka.acls:
            if b[0].startswith("User:") and b[0] != "User:*":
                by_principal[b[0]].add(b)
        for principal, bindings in sorted(by_principal.items()):
            user = principal[len("User:"):]
            app = self._identity(principal, self.users.get(user), user)
            if app is None:
                continue
            app.bindings = bindings
            for _p, rtype, name, pattern, op, host, perm in sorted(bindings):
                if host != "*" or perm != "Allow":
                    continue
                if rtype == "Topic" and pattern == "Literal" and op == "Write" and name in self.events:
                    app.produces.add(name)
                elif app.existing:
                    continue
                elif rtype == "Topic" and pattern == "Literal" and op == "Read" and self._readable(name, app.ref):
                    app.consumes.add(name)
                elif rtype == "Cluster" and op == "IdempotentWrite":
                    app.idempotent = True
                elif rtype == "Group" and op == "Read" and app.group is None and name != "*":  # every group: kept as found, not the application's
                    app.group = (name, pattern == "Prefixed")

    def iam_identities(self) -> None:
        c = self.stack.cluster
        topic_arn = f"arn:{self.stack.partition}:kafka:{c.region}:{c.account}:topic/{c.name}/{c.uuid}/"
        group_arn = f"arn:{self.stack.partition}:kafka:{c.region}:{c.account}:group/{c.name}/{c.uuid}/"
        rep = self.draft.report
        for name, role in sorted(self.snap.roles.items()):
            app = self._identity(f"role/{name}", self.roles.get(name), name)
            if app is None:
                continue
            app.principals = tuple(p for p in role.trust if ARN.fullmatch(p))
            rep.differs += [f"role {name}: {note}" for note in role.notes]
            for p in sorted(set(role.trust) - set(app.principals)):
                rep.differs.append(f"role {name}: trusted principal {p} is not an IAM role or user ARN, which the tree lists; left out")
            for action, res in sorted(role.grants):
                topic = res[len(topic_arn):] if res.startswith(topic_arn) else None
                if app.existing:
                    if topic in self.events and action == "kafka-cluster:WriteData":
                        app.produces.add(topic)
                    continue
                if topic is not None and not any(ch in topic for ch in "*?"):
                    if action == "kafka-cluster:WriteData" and topic in self.events:
                        app.produces.add(topic)
                    elif action == "kafka-cluster:ReadData" and self._readable(topic, app.ref):
                        app.consumes.add(topic)
                elif res.startswith(group_arn) and action == "kafka-cluster:AlterGroup" and app.group is None and res[len(group_arn):].rstrip("*"):
                    g = res[len(group_arn):]
                    app.group = (g.rstrip("*"), g.endswith("*"))
                elif action == "kafka-cluster:WriteDataIdempotently":
                    app.idempotent = True
                elif topic is not None:
                    rep.differs.append(f"role {name}: {action} on {res} (a pattern) stays in its own policy: the tree grants exact topics")

    def _readable(self, topic: str, ref: str) -> bool:
        if topic in self.events:
            return True
        spec = self.state.topics_by_name.get(topic)
        if spec is None:
            return False
        e = self.tree.events_by_ref[spec.event]
        return e.access_policy != "restricted" or ref in e.allowed_consumers

    def _identity(self, identity: str, existing: str | None, name: str) -> _App | None:
        rep = self.draft.report
        ref = self.choices.application(identity, existing or f"{UNASSIGNED}/{app_id(name)}")
        if ref in self.apps:
            rep.skipped.append(f"{identity}: {ref} is already the application of {self.apps[ref].identity}; not adopted (map it to another application)")
            return None
        if ref in self.tree.consumers_by_ref and existing != ref:
            rep.skipped.append(f"{identity}: {ref} is already an application of the tree with another identity; not adopted")
            return None
        app = self.apps[ref] = _App(ref, identity, existing=ref in self.tree.consumers_by_ref)
        return app

    def compare_apps(self) -> None:
        """What the tree's own applications have on the cluster beyond what the tree (and the new
        events that list them as producers) grants them."""
        for ref, app in sorted(self.apps.items()):
            if not app.existing or not app.identity.startswith("User:"):
                continue
            granted = {a.identity for a in self.state.acls_by_app.get(ref, ())} | self.derived(replace(app, consumes=set()))
            for b in sorted(app.bindings - granted):
                event = self.events.get(b[2])
                what = f"the new event {event.ref}: add a subscription to consumers/{ref}.yaml" if event and b[4] == "Read" else "a deploy removes it"
                self.draft.report.differs.append(f"{ref} ({app.identity}): {_binding(b)} on the cluster is not granted by the tree ({what})")

    # -- owners, grants kept ----------------------------------------------------------------------
    def owners(self) -> dict[str, str | None]:
        """Event topic -> owner team: the team of its first producer (other teams' writes are kept)."""
        out: dict[str, str | None] = {}
        for topic, ev in self.events.items():
            writers = sorted(a.ref for a in self.apps.values() if topic in a.produces)
            out[topic] = writers[0].split("/")[0] if writers else None
            for ref in writers:
                app = self.apps[ref]
                if app.team != out[topic]:
                    app.produces.discard(topic)
                    if app.existing:
                        self.draft.report.differs.append(f"{ref} writes {topic}, owned by {out[topic]}: producers are of the owning team, so a deploy removes its write")
                    else:
                        self.draft.report.kept.append(f"{ref} writes {topic}, owned by {out[topic]}: producers are of the owning team, so its write is kept as found")
                else:
                    ev.producers[ref] = app.idempotent
        return out

    def derived(self, app: _App) -> set[tuple]:
        """The bindings the draft tree grants the application (as the desired state derives them)."""
        p = app.identity
        out = {(p, "Topic", t, "Literal", op, "*", "Allow") for t in app.produces for op in ("Write", "Describe")}
        out |= {(p, "Topic", t, "Literal", op, "*", "Allow") for t in app.consumes for op in ("Read", "Describe")}
        if app.consumes:
            name, prefix = app.group or (naming.default_group(app.team, app.application), False)
            out.add((p, "Group", name, "Prefixed" if prefix else "Literal", "Read", "*", "Allow"))
        if app.produces and app.idempotent:
            out.add((p, "Cluster", "kafka-cluster", "Literal", "IdempotentWrite", "*", "Allow"))
        return out

    # -- files -------------------------------------------------------------------------------------
    def write_events(self, owners: dict[str, str | None]) -> None:
        rep = self.draft.report
        subjects = self.snap.subjects
        for topic, ev in sorted(self.events.items()):
            t = self.snap.kafka.topics[topic]
            folder = f"events/{ev.domain}/{ev.name}"
            settings: dict = {}
            if naming.base_topic(ev.domain, ev.name) != ev.base:
                settings["name"] = ev.base
            settings["partitions"] = t.partitions
            settings["retention_days"] = _retention_days(t.config.get("retention.ms"), topic, rep)
            settings["cleanup_policy"] = _cleanup(t.config.get("cleanup.policy"))
            if t.config.get("min.insync.replicas"):
                settings["min_insync_replicas"] = int(t.config["min.insync.replicas"])
            if t.config.get("max.message.bytes"):
                settings["max_message_bytes"] = int(t.config["max.message.bytes"])
            if t.replication_factor != self.stack.replication_factor:
                rep.differs.append(f"topic {topic}: replication factor {t.replication_factor} on the cluster, {self.stack.replication_factor} on stack {self.stack.name} (the deploy would change it)")
            owner = owners.get(topic)
            meta: dict = {
                "title": _title(ev.name),
                "summary": placeholder("one sentence: what happened in the producer's data when this event is published"),
                "description": f"Adopted from the live topic `{topic}` of stack `{self.stack.name}` by `eventbus import`.",
                "owner": owner or placeholder("owner team id (a file teams/<id>.yaml)"),
                "domain": ev.domain,
                "lifecycle": "production",
                "classification": {"data": placeholder("none, PII or PHI: the most sensitive data the payload carries")},
                "producers": [{"application": ref.split("/")[1], **({"idempotent": True} if idem else {})} for ref, idem in sorted(ev.producers.items())]
                             or [{"application": placeholder("the producing application of the owning team (consumers/<owner>/<application>.yaml)")}],
                "topic": settings,
            }
            schema: dict = {}
            value = subjects.get(naming.subject(topic, "value"))
            if value is not None and value.versions:
                schema["compatibility"] = value.level or "BACKWARD"
                if value.note:
                    rep.differs.append(f"subject {value.name}: {value.note}")
                self._versions(folder, ev, value, "value")
            elif self.snap.registry_read:
                rep.differs.append(f"topic {topic}: no subject {naming.subject(topic, 'value')} in the registry: add {folder}/v1.avsc (the gate asks for it)")
            key = subjects.get(naming.subject(topic, "key"))
            if key is not None and key.versions:
                schema["key"] = "key.avsc"
                self._versions(folder, ev, key, "key")
            if schema:
                meta["schema"] = schema
            self.draft.files[f"{folder}/event.yaml"] = _yaml("event", "../../../", meta)
            rep.written.append(f"{folder}/ (topic {topic}, {t.partitions} partitions)")
            entry = {"event": ev.ref, "topic_id": t.topic_id, "partitions": t.partitions, "replication_factor": t.replication_factor,
                     "config": {k: v for k, v in sorted(t.config.items()) if k in MANAGED and v is not None}}
            kept = {k: v for k, v in sorted(t.overrides.items()) if k not in MANAGED and v is not None}
            if kept:
                entry["kept_config"] = kept
                rep.kept.append(f"topic {topic}: {', '.join(f'{k}={v}' for k, v in kept.items())} (set on the cluster; the tree has no field for it)")
            if not t.topic_id:
                del entry["topic_id"]
            self.draft.record["topics"][topic] = entry

    def _versions(self, folder: str, ev: _Event, found, kind: str) -> None:
        rep = self.draft.report
        if found.unsupported:
            what = f"{folder}/v1.avsc" if kind == "value" else f"{folder}/key.avsc"
            rep.differs.append(f"subject {found.name}: {found.unsupported}: not drafted and not adopted; write {what} (Avro, standing alone) by hand")
            return
        versions = []
        chosen = found.versions if kind == "value" else found.versions[-1:]
        if kind == "key" and len(found.versions) > 1:
            rep.differs.append(f"subject {found.name}: {len(found.versions)} versions; key.avsc is the latest (keys never change in the tree)")
        for i, (_rv, sid, text) in enumerate(chosen, 1):
            body, parsed = _schema_text(text)
            self.draft.files[f"{folder}/{'key' if kind == 'key' else f'v{i}'}.avsc"] = body
            if parsed is None:
                rep.differs.append(f"subject {found.name}: version {i} (schema id {sid}) is not JSON (or nested too deep, or not UTF-8): written as is, not adopted")
                return
            versions.append({"version": i, "id": sid, "fingerprint": fingerprint(parsed)})
        if kind == "key":  # the record keeps every version the key subject has (the tree's key.avsc is the latest)
            versions = [{"version": i, "id": sid, "fingerprint": fingerprint(json.loads(text))} for i, (_rv, sid, text) in enumerate(found.versions, 1)
                        if _schema_text(text)[1] is not None]
        entry: dict = {"event": ev.ref, "versions": versions}
        if kind == "value" and found.level:
            entry["compatibility"] = found.level
        self.draft.record["subjects"][found.name] = entry

    def write_apps(self) -> None:
        rep = self.draft.report
        env = self.env
        for ref, app in sorted(self.apps.items()):
            if app.existing:
                continue
            if not (app.produces or app.consumes):
                rep.skipped.append(f"{app.identity}: reads or writes none of the imported topics; not adopted (its access stays as it is)")
                continue
            doc: dict = {
                "application": app.application,
                "team": app.team,
                "description": placeholder(f"what the application does (it is {app.identity} on stack {self.stack.name})"),
                "principals": {env: list(app.principals) or [placeholder(f"IAM role ARN of the application in {env}")]},
            }
            subs = []
            for topic in sorted(app.consumes):
                event = self.events[topic].ref if topic in self.events else self.state.topics_by_name[topic].event
                subs.append({"event": event, "purpose": placeholder(f"why the application needs {event} (reviewers read this)"), "environments": [env]})
            if subs:
                doc["subscriptions"] = subs
            doc["compliance"] = {
                "vasi_id": placeholder("VA Systems Inventory id (digits)"),
                "fisma_level": placeholder("Low or Moderate (High is refused)"),
                "ato_status": placeholder("ATO, cATO, IATO or none"),
            }
            self.draft.files[f"consumers/{ref}.yaml"] = _yaml("consumer", "../../", doc)
            rep.written.append(f"consumers/{ref}.yaml ({app.identity}: reads {len(app.consumes)}, writes {len(app.produces)})")
            self.draft.record["applications"][ref] = self._legacy(app)

    def _legacy(self, app: _App) -> dict:
        entry: dict = {}
        if app.identity.startswith("User:"):
            user = app.identity[len("User:"):]
            entry["kafka_user"] = user
            if user in self.snap.kafka.scram_users and self.stack.scram_users:
                entry["credential"] = "keep"
        else:
            entry["role"] = app.identity[len("role/"):]
        if app.consumes and app.group and app.group != (naming.default_group(app.team, app.application), False):
            entry["consumer_group"] = {"name": app.group[0], **({"prefix": True} if app.group[1] else {})}
        kept = sorted(app.bindings - self.derived(app))
        if kept:
            entry["kept_acls"] = [{"resource_type": r, "name": n, **({"pattern": pt} if pt != "Literal" else {}), "operation": op,
                                   **({"host": h} if h != "*" else {}), **({"permission": pm} if pm != "Allow" else {})}
                                  for _p, r, n, pt, op, h, pm in kept]
            for b in kept:
                self.draft.report.kept.append(f"{app.ref} ({app.identity}): {_binding(b)}")
        return entry

    def write_teams(self) -> None:
        teams = {a.team for a in self.apps.values() if a.ref in self.draft.record["applications"]} - set(self.tree.teams_by_id)
        for team in sorted(teams):
            doc = {"id": team, "name": placeholder("the team's name"),
                   "github_team": placeholder("the team's GitHub handle, e.g. @department-of-veterans-affairs/<team> (CODEOWNERS)"),
                   "contacts": [{"name": placeholder("a contact's name")}]}
            self.draft.files[f"teams/{team}.yaml"] = _yaml("team", "../", doc)
            self.draft.report.written.append(f"teams/{team}.yaml (a stub)")

    def groups(self) -> None:
        claimed = {a.group[0] for a in self.apps.values() if a.group}
        claimed |= {a.group for a in self.state.apps if a.group}
        imported = set(self.events) | set(self.state.topics_by_name)
        for g, topics in sorted(self.snap.kafka.groups.items()):
            on = sorted(topics & imported)
            if on and g not in claimed and not any(g.startswith(c) for c in claimed):
                self.draft.report.differs.append(f"consumer group {g} (offsets on {', '.join(on[:3])}) is no application's: its offsets stay; "
                                                 "set consumer_group in the adoption record of the application that uses it")

    def subjects_left(self) -> None:
        known = {naming.subject(t, k) for t in (*self.events, *self.state.topics_by_name) for k in ("value", "key")}
        for name in sorted(set(self.snap.subjects) - known):
            self.draft.report.skipped.append(f"subject {name}: no imported topic's <topic>-value or -key; not adopted")


def _binding(b: tuple) -> str:
    _p, rtype, name, pattern, op, host, perm = b
    return f"{perm} {op} on {rtype} {name}" + (" (prefix)" if pattern == "Prefixed" else "") + (f" from {host}" if host != "*" else "")


def make_draft(tree: Registry, stack: StackConfig, snap: Snapshot, choices: Choices, skip: tuple[str, ...] = ()) -> Draft:
    """The draft of what ``tree`` lacks of the bus ``snap`` found on ``stack``."""
    d = _Drafter(tree, stack, snap, choices, skip)
    d.topics()
    if "acl" in stack.authorization:
        d.kafka_identities()
    if "iam" in stack.authorization:
        d.iam_identities()
    owners = d.owners()
    d.compare_apps()
    d.write_events(owners)
    d.write_apps()
    d.write_teams()
    d.groups()
    d.subjects_left()
    return d.draft
