"""Access: which applications produce and consume which topics, and the grants that follow.

======================  =====================================================
producer                topic Write + Describe (literal); cluster
                        IdempotentWrite only when the producer asks for it
consumer                topic Read + Describe (literal); group Read on its own
                        consumer group (literal, or prefixed when declared)
IAM authorization       one role per application, assumable only by the
                        application's listed principals; policy:
                        kafka-cluster:Connect on the cluster and only the
                        topic/group actions above, on exact ARNs
ACL authorization       the Kafka ACLs above for ``User:<team>.<application>``
adopted (adopt/<stack>) the legacy principal, group or role the stack's
                        adoption record keeps, and the bindings it keeps
                        as found live
======================  =====================================================

An application's identity comes only from its own file; productions from the event files of its
team, subscriptions from its own file (restricted events only for the consumers they admit).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from eventbus.desired.memo import Memo
from eventbus.desired.policy import admitted
from eventbus.desired.specs import DESCRIBE, IDEMPOTENT, READ, WRITE, AclSpec, AppSpec, RoleSpec, Statement
from eventbus.model import Consumer, Event, Registry, naming
from eventbus.model.adoption import LegacyIdentity
from eventbus.model.stack import StackConfig


@dataclass
class _App:
    app: Consumer
    principals: tuple[str, ...]
    produces: dict[str, Event] = field(default_factory=dict)  # topic -> event
    consumes: dict[str, Event] = field(default_factory=dict)
    fields: dict[str, tuple[str, ...]] = field(default_factory=dict)  # consumed topic -> declared fields
    idempotent: bool = False
    group: str | None = None
    prefix: bool = False


def _gather(registry: Registry, stack: StackConfig, events: dict[str, Event], topic_of: dict[str, str]) -> dict[str, _App]:
    """``topic_of``: event ref -> its topic on the stack."""
    env = stack.environment
    apps: dict[str, _App] = {}

    def entry(c: Consumer) -> _App:
        return apps.setdefault(c.ref, _App(c, tuple(sorted(c.principals.get(env, ())))))

    for ref, e in events.items():
        for p in e.producers:
            c = registry.producer_app(e, p)
            if c is None or env not in c.principals:
                continue
            a = entry(c)
            a.produces[topic_of[ref]] = e
            a.idempotent = a.idempotent or p.idempotent
    for c in registry.consumers:
        if env not in c.principals:
            continue
        subs = [s for s in c.subscriptions if env in s.environments and s.event in events and admitted(events[s.event], c.ref)]
        if not subs:
            continue
        a = entry(c)
        for s in subs:
            topic = topic_of[s.event]
            a.consumes[topic] = events[s.event]
            if s.fields:
                a.fields[topic] = s.fields
        a.group, a.prefix = c.consumer_group.name, c.consumer_group.prefix
    return apps


def _acls(ref: str, principal: str, a: _App) -> list[AclSpec]:
    out = [AclSpec(principal, "Topic", t, "Literal", op, ref, e.ref) for t, e in sorted(a.produces.items()) for op in (WRITE, DESCRIBE)]
    out += [AclSpec(principal, "Topic", t, "Literal", op, ref, e.ref) for t, e in sorted(a.consumes.items()) for op in (READ, DESCRIBE)]
    if a.consumes and a.group:
        out.append(AclSpec(principal, "Group", a.group, "Prefixed" if a.prefix else "Literal", READ, ref))
    if a.produces and a.idempotent:
        out.append(AclSpec(principal, "Cluster", "kafka-cluster", "Literal", IDEMPOTENT, ref))
    return out


def _arn_prefix(stack: StackConfig, kind: str) -> str:
    """``arn:<partition>:kafka:<region>:<account>:<kind>/<cluster>/<uuid>/``: a topic's or group's ARN without its name."""
    c = stack.cluster
    return f"arn:{stack.partition}:kafka:{c.region}:{c.account}:{kind}/{c.name}/{c.uuid}/"


def _role(ref: str, name: str, a: _App, stack: StackConfig, produces: list[str], consumes: list[str], adopt: str | None,
          prefixes: tuple[str, str] | None = None) -> RoleSpec:
    """``prefixes``: the stack's topic and group ARN prefixes (:func:`_arn_prefix`), when already made."""
    cluster = stack.cluster.arn or ""
    statements = [Statement("Connect", ("kafka-cluster:Connect",), (cluster,))]
    if produces and a.idempotent:
        statements.append(Statement("IdempotentWrite", ("kafka-cluster:WriteDataIdempotently",), (cluster,)))
    topic, group_arn = prefixes or (_arn_prefix(stack, "topic"), _arn_prefix(stack, "group"))
    if produces:
        statements.append(Statement("Produce", ("kafka-cluster:DescribeTopic", "kafka-cluster:WriteData"), tuple(topic + t for t in produces)))
    if consumes:
        statements.append(Statement("Consume", ("kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"), tuple(topic + t for t in consumes)))
        group = (a.group or "") + ("*" if a.prefix else "")
        statements.append(Statement("ConsumerGroup", ("kafka-cluster:AlterGroup", "kafka-cluster:DescribeGroup"), (group_arn + group,)))
    return RoleSpec(name, ref, a.principals, tuple(statements), stack.permissions_boundary, stack.role_arn(name), adopt)


def _kept(ref: str, principal: str, legacy: LegacyIdentity, topics: dict[str, Event]) -> list[AclSpec]:
    """The bindings the adoption record keeps as found live (not derived from the tree)."""
    out = []
    for k in legacy.kept_acls:
        e = topics.get(k.resource_name) if k.resource_type == "Topic" and k.pattern == "Literal" else None
        out.append(AclSpec(principal, k.resource_type, k.resource_name, k.pattern, k.operation, ref, e.ref if e else "", k.host, k.permission, kept=True))
    return out


def access(registry: Registry, stack: StackConfig, events: dict[str, Event], memo: Memo | None = None,
           ) -> tuple[list[AppSpec], list[AclSpec], list[RoleSpec]]:
    """Grants per application. Names come from :func:`naming.app_names`: derived, or the legacy
    ones the stack's adoption record keeps; what that record found live is adopted (``adopt``).
    ``memo``: the grants of the last computations, by the identity of what they were made of
    (:mod:`eventbus.desired.memo`); updated."""
    apps, acls, roles = [], [], []
    adoption = registry.adoption(stack.name)
    topic_of = {ref: stack.topic(e.topic_name) for ref, e in events.items()}
    topics = {topic_of[ref]: e for ref, e in events.items()}
    acl_stack, iam_stack = "acl" in stack.authorization, "iam" in stack.authorization
    prefixes = (_arn_prefix(stack, "topic"), _arn_prefix(stack, "group")) if iam_stack else None
    made: dict[tuple, tuple] = {}
    for ref, a in sorted(_gather(registry, stack, events, topic_of).items()):
        c = a.app
        legacy = adoption.applications.get(ref) if adoption is not None else None
        key = None
        if memo is not None and (legacy is None or not legacy.kept_acls):  # (kept bindings name events by topic)
            key = (id(stack), id(c), id(legacy), tuple((t, id(e)) for t, e in a.produces.items()), tuple((t, id(e)) for t, e in a.consumes.items()),
                   tuple(a.fields.items()), a.idempotent, a.group, a.prefix, a.principals)
            got = memo.apps.get(stack.name, {}).get(key)
            if got is not None:
                memo.hits += 1
                made[key] = got
                acls += got[0][0]
                if got[0][1] is not None:
                    roles.append(got[0][1])
                apps.append(got[0][2])
                continue
        names = naming.app_names(c.team, c.application, stack.role_prefix, c.consumer_group.name, c.consumer_group.prefix, legacy)
        if a.consumes:
            a.group, a.prefix = names.group, names.group_prefix
        principal = naming.principal(names.kafka_user)
        app_acls: list[AclSpec] = []
        if acl_stack:
            app_acls = _acls(ref, principal, a)
            if legacy is not None:
                app_acls += _kept(ref, principal, legacy, topics)
        acls += app_acls
        produces, consumes = sorted(a.produces), sorted(a.consumes)
        role = app_role = None
        if iam_stack:
            role = names.role
            app_role = _role(ref, role, a, stack, produces, consumes, role if legacy is not None and legacy.role else None, prefixes)
            roles.append(app_role)
        spec = AppSpec(
            ref=ref, team=c.team, application=c.application, kafka_user=names.kafka_user,
            produces=tuple(produces), consumes=tuple(consumes),
            group=a.group, group_prefix=a.prefix, idempotent=a.idempotent and bool(produces),
            principals=a.principals, role=role,
            sensitive=tuple(t for t in consumes if a.consumes[t].sensitive),
            fields=tuple(sorted(a.fields.items())),
            adopt=principal if legacy is not None and legacy.kafka_user and acl_stack else None,
            keep_credential=legacy is not None and legacy.keep_credential and stack.scram_users,
        )
        apps.append(spec)
        if key is not None:
            made[key] = ((app_acls, app_role, spec), (stack, c, legacy, tuple(a.produces.values()), tuple(a.consumes.values())))
    if memo is not None:
        memo.apps[stack.name] = made
    return apps, acls, roles
