"""The plan: what changes between two desired states of one stack, for reviewers.

Pure: takes two :class:`DesiredState` values (base and head) and returns a
:class:`StackPlan`. Rendering is in :mod:`eventbus.plan.render`.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from eventbus.desired.state import DesiredState

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
    versions_added: dict[str, list[int]] = defaultdict(list)
    for s in new.subjects:
        have = {v for v, _ in old_subjects[s.name].versions} if s.name in old_subjects else set()
        if s.kind == "value":
            versions_added[s.event] += [v for v, _ in s.versions if v not in have]

    for name in sorted(set(old_topics) | set(new_topics)):
        o, n = old_topics.get(name), new_topics.get(name)
        if o is None:
            ch = EventChange(n.event, name, "added", n.classification)
            cfg = n.config_dict
            ch.lines.append(f"create: {n.partitions} partitions, replication {n.replication_factor}, "
                            f"retention {_days(cfg['retention.ms'])}, cleanup {cfg['cleanup.policy']}, min ISR {cfg['min.insync.replicas']}")
            ch.versions_added = versions_added.get(n.event, [])
            events.append(ch)
            continue
        if n is None:
            ch = EventChange(o.event, name, "removed", o.classification)
            ch.lines.append("delete the topic")
            events.append(ch)
            if o.protect:
                risks.append(Risk("danger", o.event, f"topic `{name}` would be removed; it is protected, so the deploy will refuse until the platform team removes the protection"))
            else:
                risks.append(Risk("danger", o.event, f"topic `{name}` and all its data will be deleted"))
            continue
        ch = EventChange(n.event, name, "changed", n.classification)
        if n.partitions != o.partitions:
            ch.lines.append(f"partitions {o.partitions} → {n.partitions}")
            if n.partitions < o.partitions:
                risks.append(Risk("danger", n.event, f"`{name}`: partitions cannot shrink ({o.partitions} → {n.partitions}); Kafka would need to recreate the topic"))
            elif n.keyed:
                risks.append(Risk("caution", n.event, f"`{name}`: partitions {o.partitions} → {n.partitions} change which partition each key maps to; per-key ordering is not guaranteed across the change"))
        if n.replication_factor != o.replication_factor:
            ch.lines.append(f"replication factor {o.replication_factor} → {n.replication_factor}")
            risks.append(Risk("danger", n.event, f"`{name}`: replication factor change needs a partition reassignment; the provider may replace the topic"))
        oc, nc = o.config_dict, n.config_dict
        for key in sorted(set(oc) | set(nc)):
            if oc.get(key) != nc.get(key):
                before, after = oc.get(key, "default"), nc.get(key, "default")
                if key == "retention.ms":
                    ch.lines.append(f"retention {_days(before)} → {_days(after)}")
                    if int(after) >= 0 and (int(before) < 0 or int(after) < int(before)):
                        risks.append(Risk("caution", n.event, f"`{name}`: retention shortened from {_days(before)} to {_days(after)}: older records are deleted at once"))
                else:
                    ch.lines.append(f"{key} {before} → {after}")
                    if key == "cleanup.policy":
                        risks.append(Risk("caution", n.event, f"`{name}`: cleanup.policy {before} → {after} changes which records are kept"))
        if n.protect != o.protect:
            ch.lines.append(f"protection {'on' if n.protect else 'off'}")
        if n.lifecycle != o.lifecycle:
            ch.lines.append(f"lifecycle {o.lifecycle} → {n.lifecycle}")
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
        what = f"`{a.resource_name}`" + (" (prefix)" if a.pattern == "Prefixed" else "")
        kind = {"Topic": "topic", "Group": "group", "Cluster": "cluster"}[a.resource_type]
        ev = f" ({a.event})" if a.event else ""
        return f"{a.operation} on {kind} {what}{ev}"

    for ref in sorted(set(old_acls) | set(new_acls) | set(old_roles) | set(new_roles) | old_apps | new_apps):
        added = sorted(new_acls.get(ref, set()) - old_acls.get(ref, set()))
        removed = sorted(old_acls.get(ref, set()) - new_acls.get(ref, set()))
        status = "added" if ref not in old_apps else ("removed" if ref not in new_apps else "changed")
        ch = AppChange(ref, status, [describe(a) for a in added], [describe(a) for a in removed])
        o_role, n_role = old_roles.get(ref), new_roles.get(ref)
        o_st = {(s.sid, act, res) for s in (o_role.statements if o_role else ()) for act in s.actions for res in s.resources}
        n_st = {(s.sid, act, res) for s in (n_role.statements if n_role else ()) for act in s.actions for res in s.resources}
        ch.iam_added = [f"{act} on {res}" for _sid, act, res in sorted(n_st - o_st)]
        ch.iam_removed = [f"{act} on {res}" for _sid, act, res in sorted(o_st - n_st)]
        o_tr = set(o_role.trust_principals) if o_role else set()
        n_tr = set(n_role.trust_principals) if n_role else set()
        ch.trust_added, ch.trust_removed = sorted(n_tr - o_tr), sorted(o_tr - n_tr)
        if ch.granted or ch.revoked or ch.iam_added or ch.iam_removed or ch.trust_added or ch.trust_removed:
            apps.append(ch)
        for a in added:
            if a.resource_type == "Topic" and a.operation == "Read" and a.resource_name in sensitive_topics:
                risks.append(Risk("sensitive", ref, f"**{ref}** gains read access to **{sensitive_topics[a.resource_name]}** on `{a.resource_name}` ({a.event})"))
        reads_sensitive = any(x.sensitive for x in new.apps if x.ref == ref)
        for principal in ch.trust_added if (o_role is not None and reads_sensitive) else ():
            risks.append(Risk("sensitive", ref, f"**{principal}** may now assume `{n_role.name}`, which reads PII/PHI"))

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
