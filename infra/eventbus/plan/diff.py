"""The plan: what changes between two desired states of one stack, for reviewers.

Pure: takes two :class:`DesiredState` values (base and head) and returns a
:class:`StackPlan`. Rendering is in :mod:`eventbus.plan.render`.

Every value from the tree that a risk or a line quotes is written with
:func:`eventbus.text.md_code` (names, refs, principals), so the Markdown a reviewer reads cannot
be rewritten by the text it quotes. *Needs attention* lists every weakening of a protection:
deletions, shrinking partitions, replication changes, retention cut short or set to forever on
PII/PHI, cleanup policy, compatibility mode weakened, classification lowered, restricted access
opened, stack protection turned off, a key schema added, changed or removed, an application's Kafka user,
IAM role or kept SCRAM credential changed (a legacy identity added or let go), new read or write
access or new principals on roles that touch PII/PHI, and field by field (from
:mod:`eventbus.avro.contract`): a new version's change to a field that an application on the
stack reads (named, with its owner), the classified fields a new reader reads (or *least data*
when it declares only unclassified ones), and classified fields an existing reader reads now.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from eventbus.desired import AclSpec, AppSpec, DesiredState, RoleSpec, SubjectSpec, TopicSpec
from eventbus.model import weakens
from eventbus.text import md_code as c

RANK = {"none": 0, "PII": 1, "PHI": 2}

DAY_MS = 86_400_000


@dataclass(frozen=True, order=True)
class Risk:
    level: str  # "danger" (data loss or broken consumers) | "sensitive" (PII/PHI access) | "caution"
    subject: str  # event ref or app ref
    text: str


@dataclass
class EventChange:
    ref: str
    topic: str
    status: str  # added | adopted | removed | changed | unchanged
    classification: str
    lines: list[str] = field(default_factory=list)
    versions_added: list[int] = field(default_factory=list)


@dataclass
class AppChange:
    ref: str
    status: str  # added | adopted | removed | changed
    granted: list[str] = field(default_factory=list)  # "Read on claims_status (claims/status)"
    revoked: list[str] = field(default_factory=list)
    iam_added: list[str] = field(default_factory=list)
    iam_removed: list[str] = field(default_factory=list)
    trust_added: list[str] = field(default_factory=list)
    trust_removed: list[str] = field(default_factory=list)


@dataclass
class StackPlan:
    stack: str
    environment: str
    target: str
    risks: list[Risk]
    events: list[EventChange]
    apps: list[AppChange]
    counts: dict[str, int]

    @property
    def empty(self) -> bool:
        return not (self.risks or self.events or self.apps)


def _days(ms: str) -> str:
    v = int(ms)
    return "forever" if v < 0 else (f"{v / DAY_MS:g} days" if v % DAY_MS == 0 else f"{v} ms")


def access_lines(app: AppSpec | None, state: DesiredState | None) -> set[str]:
    """What an application may do, in the words of the ACL lines: reads, writes, its group."""
    if app is None or state is None:
        return set()
    event = {t.name: t.event for t in state.topics}
    out = {f"Read on topic {c(t)} ({c(event.get(t, '?'))})" for t in app.consumes}
    out |= {f"Write on topic {c(t)} ({c(event.get(t, '?'))})" for t in app.produces}
    if app.consumes and app.group:
        out.add(f"Read on group {c(app.group)}" + (" (prefix)" if app.group_prefix else ""))
    if app.produces and app.idempotent:
        out.add("IdempotentWrite on the cluster")
    return out


def _describe_acl(a: AclSpec) -> str:
    what = c(a.resource_name) + (" (prefix)" if a.pattern == "Prefixed" else "")
    kind = {"Topic": "topic", "Group": "group", "Cluster": "cluster"}.get(a.resource_type, a.resource_type)
    ev = f" ({c(a.event)})" if a.event else ""
    extra = (f" from host {c(a.host)}" if a.host != "*" else "") + (" (Deny)" if a.permission != "Allow" else "")
    return f"{a.operation} on {kind} {what}{ev}{extra}" + (" — kept as found live" if a.kept else "")


SHOWN = 6  # fields or readers quoted in one line


def _some(items: list[str], n: int = SHOWN) -> str:
    return ", ".join(items[:n]) + (f" and {len(items) - n} more" if len(items) > n else "")


def _fields(pairs) -> str:
    """``icn`` (PII), ``medicationName`` (PHI), …"""
    return _some([f"{c(p)} ({level})" for p, level in pairs])


def _field_changes(new: DesiredState, s: SubjectSpec, added: list[int], risks: list[Risk], lines: list[str]) -> None:
    """Each added version's field changes against the version before it: a line per change, and a
    danger per change that breaks a reader on this stack, naming the readers."""
    from eventbus.avro.contract import VERBS, field_changes, fields_of_text

    topic = new.topic_by_event.get(s.event)
    texts = dict(s.versions)
    numbers = [v for v, _ in s.versions]
    for v in added:
        i = numbers.index(v)
        if i == 0:
            continue
        for ch in field_changes(fields_of_text(texts[numbers[i - 1]]), fields_of_text(texts[v])):
            # "null or string": a "|" in a code span reads "\|" outside a table
            details = "; ".join(ch.details).replace(" | ", " or ")
            what = f"v{v} {VERBS[ch.kind]} field {c(ch.path)}" + (f" ({c(details)})" if details else "")
            lines.append(what)
            if not ch.breaking or ch.classification_only or topic is None:
                continue  # a reader that now reads PII/PHI is a sensitive risk of its application
            readers = new.field_readers(topic.name, ch.path)
            if readers:
                named = [f"{c(a.ref)} (owner {c(a.team)}" + (")" if declares else ", declares no fields)") for a, declares in readers]
                risks.append(Risk("danger", s.event, f"{c(topic.name)}: {what}, which {_some(named)} read{'s' if len(readers) == 1 else ''}"))


def _subject_changes(old: DesiredState | None, new: DesiredState, risks: list[Risk]) -> tuple[dict[str, list[int]], dict[str, list[str]]]:
    """Schema versions added (with their field changes) and subject lines (mode and key changes), by event."""
    old_subjects = {s.name: s for s in old.subjects} if old else {}
    recorded = {s.name: s for s in new.recorded_subjects}  # adopted subjects: what the registry holds
    old_topic_keys = {f"{t.name}-key" for t in old.topics} if old else set()  # subjects of topics that exist at the base
    versions_added: dict[str, list[int]] = defaultdict(list)
    lines: dict[str, list[str]] = defaultdict(list)
    for s in new.subjects:
        prev = old_subjects.get(s.name)
        if prev is None and s.name in recorded:
            prev = recorded[s.name]
            lines[s.event].append(f"adopt subject {c(s.name)} (v1–v{len(prev.versions)} kept)")
        have = {v for v, _ in prev.versions} if prev is not None else set()
        if s.kind == "value":
            added = [v for v, _ in s.versions if v not in have]
            versions_added[s.event] += added
            _field_changes(new, s, added, risks, lines[s.event])
            if prev is not None and prev.compatibility != s.compatibility:
                lines[s.event].append(f"compatibility {prev.compatibility} → {s.compatibility}")
                if weakens(prev.compatibility, s.compatibility):
                    risks.append(Risk("danger", s.event, f"{c(s.name)}: compatibility weakened from {prev.compatibility} to {s.compatibility}; "
                                                         "new versions may break the consumers of earlier ones"))
        elif s.kind == "key" and s.name in old_topic_keys:
            if prev is None:
                risks.append(Risk("caution", s.event, f"{c(s.name)}: a key schema is added to an existing topic; keys decide partitions, so per-key order starts only now"))
            elif prev.versions != s.versions:
                lines[s.event].append("key schema changed")
                risks.append(Risk("danger", s.event, f"{c(s.name)}: the key schema changes: records of one key may now land on another partition"))
    new_subjects = {s.name for s in new.subjects}
    for s in old.subjects if old else ():
        if s.kind == "key" and s.name not in new_subjects and s.name[:-len("-key")] in new.topics_by_name:
            lines[s.event].append("key schema removed")
            risks.append(Risk("caution", s.event, f"{c(s.name)}: the key schema is removed: the subject is no longer managed (kept in the registry) "
                                                  "and nothing checks the keys any more; keys decide partitions, so per-key order holds only while producers keep the same keys"))
    return versions_added, lines


def _added_topic(n: TopicSpec, risks: list[Risk]) -> EventChange:
    ch = EventChange(n.event, n.name, "added", n.classification)
    cfg = n.config_dict
    ch.lines.append(f"create: {n.partitions} partitions, replication {n.replication_factor}, "
                    f"retention {_days(cfg['retention.ms'])}, cleanup {cfg['cleanup.policy']}, min ISR {cfg['min.insync.replicas']}")
    if n.replaces:
        ch.lines.append("successor of " + ", ".join(c(r) for r in n.replaces))
    if n.classification != "none" and int(cfg["retention.ms"]) < 0:
        risks.append(Risk("sensitive", n.event, f"{c(n.name)} keeps **{n.classification}** forever (retention -1)"))
    return ch


def _removed_topic(o: TopicSpec, risks: list[Risk]) -> EventChange:
    ch = EventChange(o.event, o.name, "removed", o.classification, ["delete the topic"])
    if o.protect:
        risks.append(Risk("danger", o.event, f"topic {c(o.name)} would be removed; it is protected, so the deploy will refuse until the platform team removes the protection"))
    else:
        risks.append(Risk("danger", o.event, f"topic {c(o.name)} and all its data will be deleted"))
    return ch


def _adopted_topic(found: TopicSpec, n: TopicSpec, risks: list[Risk]) -> EventChange:
    """A live topic the adoption record holds and the base's state lacks: adopted, with what the
    tree changes on it (the record's settings are the "before")."""
    ch = _changed_topic(found, n, risks)
    ch.status = "adopted"
    cfg = found.config_dict
    ch.lines.insert(0, f"adopt the live topic: {found.partitions} partitions, replication {found.replication_factor}, "
                       f"retention {_days(cfg.get('retention.ms', '-1'))}, cleanup {cfg.get('cleanup.policy', 'delete')}")
    return ch


def _changed_topic(o: TopicSpec, n: TopicSpec, risks: list[Risk]) -> EventChange:
    name = n.name
    ch = EventChange(n.event, name, "changed", n.classification)
    if n.partitions != o.partitions:
        ch.lines.append(f"partitions {o.partitions} → {n.partitions}")
        if n.partitions < o.partitions:
            risks.append(Risk("danger", n.event, f"{c(name)}: partitions cannot shrink ({o.partitions} → {n.partitions}); Kafka would need to recreate the topic"))
        elif n.keyed:
            risks.append(Risk("caution", n.event, f"{c(name)}: partitions {o.partitions} → {n.partitions} change which partition each key maps to; per-key ordering is not guaranteed across the change"))
    if n.replication_factor != o.replication_factor:
        ch.lines.append(f"replication factor {o.replication_factor} → {n.replication_factor}")
        risks.append(Risk("danger", n.event, f"{c(name)}: replication factor change needs a partition reassignment; the provider may replace the topic"))
    oc, nc = o.config_dict, n.config_dict
    for key in sorted(set(oc) | set(nc)):
        if oc.get(key) == nc.get(key):
            continue
        before, after = oc.get(key, "default"), nc.get(key, "default")
        if key == "retention.ms":
            ch.lines.append(f"retention {_days(before)} → {_days(after)}")
            if int(after) >= 0 and (int(before) < 0 or int(after) < int(before)):
                risks.append(Risk("caution", n.event, f"{c(name)}: retention shortened from {_days(before)} to {_days(after)}: older records are deleted at once"))
            if int(after) < 0 and n.classification != "none":
                risks.append(Risk("sensitive", n.event, f"{c(name)}: retention set to forever on **{n.classification}** data"))
            continue
        ch.lines.append(f"{key} {c(before)} → {c(after)}")  # kept settings are as found live: any text
        if key == "cleanup.policy":
            risks.append(Risk("caution", n.event, f"{c(name)}: cleanup.policy {before} → {after} changes which records are kept"))
        elif key == "min.insync.replicas" and int(after) < int(before):
            risks.append(Risk("caution", n.event, f"{c(name)}: min.insync.replicas lowered {before} → {after}: acknowledged writes survive fewer broker failures"))
    if n.protect != o.protect:
        ch.lines.append(f"protection {'on' if n.protect else 'off'}")
        if not n.protect:
            risks.append(Risk("danger", n.event, f"{c(name)}: protection turned off: a later change can delete the topic and its data"))
    if n.classification != o.classification:
        ch.lines.append(f"classification {o.classification} → {n.classification}")
        if RANK[n.classification] < RANK[o.classification]:
            risks.append(Risk("sensitive", n.event, f"{c(name)}: classification lowered from **{o.classification}** to **{n.classification}**; "
                                                    "check the payload no longer carries that data"))
    if n.access_policy != o.access_policy:
        ch.lines.append(f"access {o.access_policy} → {n.access_policy}")
        if n.access_policy == "open":
            risks.append(Risk("sensitive", n.event, f"{c(name)}: access opened (restricted → open): any application may now subscribe without the owners' approval"))
    if n.keyed and not o.keyed:
        ch.lines.append("key schema added")
    if n.lifecycle != o.lifecycle:
        ch.lines.append(f"lifecycle {o.lifecycle} → {n.lifecycle}" + (f" (successor {c(n.replaced_by)})" if n.replaced_by else ""))
    return ch


def _read_fields(state: DesiredState, app: AppSpec, topic: TopicSpec) -> str:
    """What a new reader of a PII/PHI topic reads of it, field by field (least data when it
    declares only unclassified fields)."""
    declared = app.declared(topic.name)
    if not topic.classified_fields:
        return "; no field of its schema is classified"
    if declared is None:
        return f"; it declares no fields, so it reads every classified field: {_fields(topic.classified_fields)}"
    read = state.classified_reads(app, topic.name)
    if read:
        return f"; of its classified fields it reads {_fields(read)}"
    return (f"; least data: it declares only unclassified fields ({_some([c(p) for p in declared])}), "
            f"none of the {len(topic.classified_fields)} classified ones")


def _statements(role: RoleSpec | None) -> set[tuple[str, str, str]]:
    return {(s.sid, act, res) for s in (role.statements if role else ()) for act in s.actions for res in s.resources}


def _identity_risks(ref: str, old: DesiredState, o_app: AppSpec, n_app: AppSpec, o_role: RoleSpec | None, n_role: RoleSpec | None,
                    risks: list[Risk]) -> None:
    """An application that stays but changes identity (its adoption record's legacy names added or
    let go): the principal, role or SCRAM credential it had leaves, which neither its grants nor its
    statements show (they name topics and groups, not the identity). An adopted one is released
    (retained on delete), a derived one deleted."""
    if "acl" in old.authorization and o_app.kafka_user != n_app.kafka_user:
        fate = "is released as it is (adopted: kept on the cluster, no longer managed)" if o_app.adopt else "and its bindings are deleted"
        cred = "; its SCRAM credential is the stack's derived one" if old.scram_users and not n_app.keep_credential else ""
        risks.append(Risk("danger", ref, f"{c(ref)} changes Kafka user {c(o_app.kafka_user)} → {c(n_app.kafka_user)}: the principal "
                                         f"{c(o_app.principal)} {fate}; its clients must authenticate as {c(n_app.principal)}{cred}"))
    elif o_app.keep_credential and not n_app.keep_credential:
        risks.append(Risk("danger", ref, f"{c(ref)}: the SCRAM password of {c(n_app.principal)}, its own until now, is replaced by the stack's "
                                         f"derived one; its clients fail to authenticate until they use `eventbus credentials {ref}`"))
    elif n_app.keep_credential and not o_app.keep_credential and old.scram_users:
        risks.append(Risk("caution", ref, f"{c(ref)}: the stack stops managing the SCRAM credential of {c(n_app.principal)}: the adoption "
                                          "record now keeps it as the application's own; it stays on the cluster as it is (the stack's derived "
                                          "password until someone changes it) and the stack no longer sets or deletes it"))
    if o_role is not None and n_role is not None and o_role.name != n_role.name:
        fate = "is released as it is (adopted: kept in IAM, no longer managed)" if o_role.adopt else "is deleted"
        risks.append(Risk("danger", ref, f"{c(ref)} changes IAM role {c(o_role.name)} → {c(n_role.name)}: the role {c(o_role.name)} {fate}; "
                                         "its principals must assume the new role's ARN"))


def _app_change(ref: str, old: DesiredState | None, new: DesiredState, risks: list[Risk]) -> AppChange:
    o_app = old.apps_by_ref.get(ref) if old else None
    n_app = new.apps_by_ref.get(ref)
    status = "added" if o_app is None else ("removed" if n_app is None else "changed")
    if o_app is None and n_app is not None and (n_app.adopt or getattr(new.roles_by_app.get(ref), "adopt", None)):
        status = "adopted"
    sensitive = {t.name: t for t in new.topics if t.classification != "none"}
    if "acl" in new.authorization:
        o_acls = set(old.acls_by_app.get(ref, ())) if old else set()
        n_acls = set(new.acls_by_app.get(ref, ()))
        added = sorted(n_acls - o_acls)
        ch = AppChange(ref, status, [_describe_acl(a) for a in added], [_describe_acl(a) for a in sorted(o_acls - n_acls)])
        gained = [(a.operation, a.resource_name) for a in added if a.resource_type == "Topic" and a.operation in ("Read", "Write")]
        kept = [a for a in added if a.kept]
        if kept:
            risks.append(Risk("caution", ref, f"{c(ref)} keeps {len(kept)} binding(s) found live that the tree does not grant "
                                              f"({', '.join(_describe_acl(a).split(' — ')[0] for a in kept[:3])}); remove them from the adoption record when no longer needed"))
    else:  # IAM stacks: the same access in words; the role's statements follow as details
        o_lines, n_lines = access_lines(o_app, old), access_lines(n_app, new)
        ch = AppChange(ref, status, sorted(n_lines - o_lines), sorted(o_lines - n_lines))
        o_topics = (set(o_app.consumes), set(o_app.produces)) if o_app else (set(), set())
        gained = [("Read", t) for t in sorted(set(n_app.consumes) - o_topics[0])] if n_app else []
        gained += [("Write", t) for t in sorted(set(n_app.produces) - o_topics[1])] if n_app else []
    o_role = old.roles_by_app.get(ref) if old else None
    n_role = new.roles_by_app.get(ref)
    o_st, n_st = _statements(o_role), _statements(n_role)
    ch.iam_added = [f"{act} on {c(res)}" for _sid, act, res in sorted(n_st - o_st)]
    ch.iam_removed = [f"{act} on {c(res)}" for _sid, act, res in sorted(o_st - n_st)]
    o_tr = set(o_role.trust_principals) if o_role else set()
    n_tr = set(n_role.trust_principals) if n_role else set()
    ch.trust_added, ch.trust_removed = sorted(n_tr - o_tr), sorted(o_tr - n_tr)
    if old is not None and o_app is not None and n_app is not None:
        _identity_risks(ref, old, o_app, n_app, o_role, n_role, risks)
    for operation, topic in gained:
        if topic in sensitive:
            verb = "read" if operation == "Read" else "write"
            fields = _read_fields(new, n_app, sensitive[topic]) if operation == "Read" and n_app is not None else ""
            risks.append(Risk("sensitive", ref, f"{c(ref)} gains {verb} access to **{sensitive[topic].classification}** on {c(topic)} ({c(sensitive[topic].event)}){fields}"))
    if o_app is not None and n_app is not None and old is not None:
        for topic in sorted(set(o_app.consumes) & set(n_app.consumes)):
            before = set(old.classified_reads(o_app, topic))
            now = [f for f in new.classified_reads(n_app, topic) if f not in before]
            if now:
                risks.append(Risk("sensitive", ref, f"{c(ref)} now reads classified fields of {c(topic)} ({c(new.topics_by_name[topic].event)}): "
                                                    f"{_fields(now)}"))
    touches = sorted({*n_app.consumes, *n_app.produces} & set(sensitive)) if n_app is not None else []
    if n_role is not None and touches:
        for principal in ch.trust_added:
            risks.append(Risk("sensitive", ref, f"{c(principal)} may now assume {c(n_role.name)}, which reads or writes PII/PHI ({', '.join(c(x) for x in touches[:3])})"))
    return ch


def diff(old: DesiredState | None, new: DesiredState) -> StackPlan:
    risks: list[Risk] = []
    versions_added, subject_lines = _subject_changes(old, new, risks)
    old_topics = old.topics_by_name if old else {}
    recorded = {t.name: t for t in new.recorded_topics}
    events: list[EventChange] = []
    for name in sorted(set(old_topics) | set(new.topics_by_name)):
        o, n = old_topics.get(name), new.topics_by_name.get(name)
        if n is None:
            assert o is not None
            events.append(_removed_topic(o, risks))
            continue
        if o is None:
            ch = _adopted_topic(recorded[name], n, risks) if name in recorded else _added_topic(n, risks)
        else:
            ch = _changed_topic(o, n, risks)
        ch.lines += subject_lines.get(n.event, [])
        ch.versions_added = versions_added.get(n.event, [])
        if ch.status in ("added", "adopted") or ch.lines or ch.versions_added:
            events.append(ch)

    refs = set(new.apps_by_ref) | set(new.acls_by_app) | set(new.roles_by_app)
    if old is not None:
        refs |= set(old.apps_by_ref) | set(old.acls_by_app) | set(old.roles_by_app)
    apps = [ch for ch in (_app_change(ref, old, new, risks) for ref in sorted(refs))
            if ch.granted or ch.revoked or ch.iam_added or ch.iam_removed or ch.trust_added or ch.trust_removed]

    events.sort(key=lambda e: ({"removed": 0, "changed": 1, "added": 2, "adopted": 3}[e.status], e.ref))
    order = {"danger": 0, "sensitive": 1, "caution": 2}
    risks = sorted(set(risks), key=lambda r: (order[r.level], r.subject, r.text))
    counts = {
        "topics_added": sum(e.status == "added" for e in events),
        "topics_changed": sum(e.status == "changed" for e in events),
        "topics_removed": sum(e.status == "removed" for e in events),
        "topics_adopted": sum(e.status == "adopted" for e in events),
        "grants_added": sum(len(a.granted) for a in apps),
        "grants_removed": sum(len(a.revoked) for a in apps),
        "schema_versions_added": sum(len(e.versions_added) for e in events),
        "iam_statements_added": sum(len(a.iam_added) for a in apps),
        "iam_statements_removed": sum(len(a.iam_removed) for a in apps),
    }
    return StackPlan(new.stack, new.environment, new.target, risks, events, apps, counts)
