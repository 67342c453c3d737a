"""The plan: what changes between two desired states of one stack, for reviewers.

Pure: takes two :class:`DesiredState` values (base and head) and returns a
:class:`StackPlan`. Rendering is in :mod:`eventbus.plan.render`.

Every value from the tree that a risk or a line quotes is written with
:func:`eventbus.text.md_code` (names, refs, principals), so the Markdown a reviewer reads cannot
be rewritten by the text it quotes. *Needs attention* lists every weakening of a protection:
deletions, shrinking partitions, replication changes, retention cut short or set to forever on
PII/PHI, cleanup policy, compatibility mode weakened, classification lowered, restricted access
opened, stack protection turned off, a key schema added or changed, and new read or write
access or new principals on roles that touch PII/PHI.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from eventbus.desired.state import DesiredState
from eventbus.rules.compatibility_weakened import weakens
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
    status: str  # added | removed | changed | unchanged
    classification: str
    lines: list[str] = field(default_factory=list)
    versions_added: list[int] = field(default_factory=list)


@dataclass
class AppChange:
    ref: str
    status: str  # added | removed | changed
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


def diff(old: DesiredState | None, new: DesiredState) -> StackPlan:
    risks: list[Risk] = []
    events: list[EventChange] = []
    apps: list[AppChange] = []
    old_topics = old.topics_by_name if old else {}
    new_topics = new.topics_by_name
    old_subjects = {s.name: s for s in old.subjects} if old else {}
    old_topic_keys = {f"{name}-key" for name in old_topics}  # subjects of topics that exist at the base
    versions_added: dict[str, list[int]] = defaultdict(list)
    subject_lines: dict[str, list[str]] = defaultdict(list)
    for s in new.subjects:
        prev = old_subjects.get(s.name)
        have = {v for v, _ in prev.versions} if prev is not None else set()
        if s.kind == "value":
            versions_added[s.event] += [v for v, _ in s.versions if v not in have]
            if prev is not None and prev.compatibility != s.compatibility:
                subject_lines[s.event].append(f"compatibility {prev.compatibility} → {s.compatibility}")
                if weakens(prev.compatibility, s.compatibility):
                    risks.append(Risk("danger", s.event, f"{c(s.name)}: compatibility weakened from {prev.compatibility} to {s.compatibility}; "
                                                         "new versions may break the consumers of earlier ones"))
        elif s.kind == "key" and s.name in old_topic_keys:
            if prev is None:
                risks.append(Risk("caution", s.event, f"{c(s.name)}: a key schema is added to an existing topic; keys decide partitions, so per-key order starts only now"))
            elif prev.versions != s.versions:
                subject_lines[s.event].append("key schema changed")
                risks.append(Risk("danger", s.event, f"{c(s.name)}: the key schema changes: records of one key may now land on another partition"))

    for name in sorted(set(old_topics) | set(new_topics)):
        o, n = old_topics.get(name), new_topics.get(name)
        if o is None:
            ch = EventChange(n.event, name, "added", n.classification)
            cfg = n.config_dict
            ch.lines.append(f"create: {n.partitions} partitions, replication {n.replication_factor}, "
                            f"retention {_days(cfg['retention.ms'])}, cleanup {cfg['cleanup.policy']}, min ISR {cfg['min.insync.replicas']}")
            ch.versions_added = versions_added.get(n.event, [])
            events.append(ch)
            if n.classification != "none" and int(cfg["retention.ms"]) < 0:
                risks.append(Risk("sensitive", n.event, f"{c(name)} keeps **{n.classification}** forever (retention -1)"))
            continue
        if n is None:
            ch = EventChange(o.event, name, "removed", o.classification)
            ch.lines.append("delete the topic")
            events.append(ch)
            if o.protect:
                risks.append(Risk("danger", o.event, f"topic {c(name)} would be removed; it is protected, so the deploy will refuse until the platform team removes the protection"))
            else:
                risks.append(Risk("danger", o.event, f"topic {c(name)} and all its data will be deleted"))
            continue
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
            if oc.get(key) != nc.get(key):
                before, after = oc.get(key, "default"), nc.get(key, "default")
                if key == "retention.ms":
                    ch.lines.append(f"retention {_days(before)} → {_days(after)}")
                    if int(after) >= 0 and (int(before) < 0 or int(after) < int(before)):
                        risks.append(Risk("caution", n.event, f"{c(name)}: retention shortened from {_days(before)} to {_days(after)}: older records are deleted at once"))
                    if int(after) < 0 and n.classification != "none":
                        risks.append(Risk("sensitive", n.event, f"{c(name)}: retention set to forever on **{n.classification}** data"))
                else:
                    ch.lines.append(f"{key} {before} → {after}")
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
            ch.lines.append(f"lifecycle {o.lifecycle} → {n.lifecycle}")
        ch.lines += subject_lines.get(n.event, [])
        ch.versions_added = versions_added.get(n.event, [])
        if ch.lines or ch.versions_added:
            events.append(ch)

    # access, grouped by application
    def grants_by_app(state: DesiredState | None) -> dict[str, set]:
        out: dict[str, set] = defaultdict(set)
        for a in state.acls if state else ():
            out[a.app].add(a)
        return out

    old_acls, new_acls = grants_by_app(old), grants_by_app(new)
    old_roles = {r.app: r for r in old.roles} if old else {}
    new_roles = {r.app: r for r in new.roles}
    old_apps = {a.ref for a in old.apps} if old else set()
    new_apps = {a.ref for a in new.apps}
    sensitive_topics = {t.name: t.classification for t in new.topics if t.classification != "none"}

    def describe(a) -> str:
        what = c(a.resource_name) + (" (prefix)" if a.pattern == "Prefixed" else "")
        kind = {"Topic": "topic", "Group": "group", "Cluster": "cluster"}[a.resource_type]
        ev = f" ({c(a.event)})" if a.event else ""
        return f"{a.operation} on {kind} {what}{ev}"

    new_app = {a.ref: a for a in new.apps}

    for ref in sorted(set(old_acls) | set(new_acls) | set(old_roles) | set(new_roles) | old_apps | new_apps):
        added = sorted(new_acls.get(ref, set()) - old_acls.get(ref, set()))
        removed = sorted(old_acls.get(ref, set()) - new_acls.get(ref, set()))
        status = "added" if ref not in old_apps else ("removed" if ref not in new_apps else "changed")
        ch = AppChange(ref, status, [describe(a) for a in added], [describe(a) for a in removed])
        o_role, n_role = old_roles.get(ref), new_roles.get(ref)
        o_st = {(s.sid, act, res) for s in (o_role.statements if o_role else ()) for act in s.actions for res in s.resources}
        n_st = {(s.sid, act, res) for s in (n_role.statements if n_role else ()) for act in s.actions for res in s.resources}
        ch.iam_added = [f"{act} on {c(res)}" for _sid, act, res in sorted(n_st - o_st)]
        ch.iam_removed = [f"{act} on {c(res)}" for _sid, act, res in sorted(o_st - n_st)]
        o_tr = set(o_role.trust_principals) if o_role else set()
        n_tr = set(n_role.trust_principals) if n_role else set()
        ch.trust_added, ch.trust_removed = sorted(n_tr - o_tr), sorted(o_tr - n_tr)
        if ch.granted or ch.revoked or ch.iam_added or ch.iam_removed or ch.trust_added or ch.trust_removed:
            apps.append(ch)
        for a in added:
            if a.resource_type == "Topic" and a.operation in ("Read", "Write") and a.resource_name in sensitive_topics:
                verb = "read" if a.operation == "Read" else "write"
                risks.append(Risk("sensitive", ref, f"{c(ref)} gains {verb} access to **{sensitive_topics[a.resource_name]}** on {c(a.resource_name)} ({c(a.event)})"))
        if n_role is not None and not new.acls:  # IAM-only stacks: the grants are the role's statements
            for _sid, act, res in sorted(n_st - o_st):
                topic = res.rsplit("/", 1)[-1] if ":topic/" in res else None
                if topic in sensitive_topics and act in ("kafka-cluster:ReadData", "kafka-cluster:WriteData"):
                    verb = "read" if act.endswith("ReadData") else "write"
                    risks.append(Risk("sensitive", ref, f"{c(ref)} gains {verb} access to **{sensitive_topics[topic]}** on {c(topic)}"))
        app = new_app.get(ref)
        touches = sorted({*app.consumes, *app.produces} & set(sensitive_topics)) if app is not None else []
        for principal in ch.trust_added if (n_role is not None and touches) else ():
            risks.append(Risk("sensitive", ref, f"{c(principal)} may now assume {c(n_role.name)}, which reads or writes PII/PHI ({', '.join(c(x) for x in touches[:3])})"))

    for t, vs in sorted(versions_added.items()):
        if t not in {e.ref for e in events} and vs:
            n = next((x for x in new.topics if x.event == t), None)
            if n is not None:
                events.append(EventChange(t, n.name, "changed", n.classification, [], vs))
    events.sort(key=lambda e: ({"removed": 0, "changed": 1, "added": 2}[e.status], e.ref))
    order = {"danger": 0, "sensitive": 1, "caution": 2}
    risks = sorted(set(risks), key=lambda r: (order[r.level], r.subject, r.text))
    counts = {
        "topics_added": sum(e.status == "added" for e in events),
        "topics_changed": sum(e.status == "changed" for e in events),
        "topics_removed": sum(e.status == "removed" for e in events),
        "grants_added": sum(len(a.granted) for a in apps),
        "grants_removed": sum(len(a.revoked) for a in apps),
        "schema_versions_added": sum(len(e.versions_added) for e in events),
        "iam_statements_added": sum(len(a.iam_added) for a in apps),
        "iam_statements_removed": sum(len(a.iam_removed) for a in apps),
    }
    return StackPlan(new.stack, new.environment, new.target, risks, events, apps, counts)
