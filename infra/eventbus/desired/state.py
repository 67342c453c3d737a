"""The desired state: everything that should exist in one stack, computed purely from
the registry model and the stack's settings.

The Pulumi program, the plan, the drift check and the catalog all read this;
none of them re-derives names, configs or grants. The result is plain,
immutable and deterministic (sorted), so two computations of the same tree
are equal and their JSON is byte-identical.

Access model (see docs/stacks-and-access.md):

======================  =====================================================
producer                topic Write + Describe (literal); cluster
                        IdempotentWrite only when the producer asks for it
consumer                topic Read + Describe (literal); group Read on its own
                        consumer group (literal, or prefixed when declared)
IAM (aws targets)       one role per application and environment, assumable
                        only by the application's listed principals; policy:
                        kafka-cluster:Connect on the cluster and only the
                        topic/group actions above, on exact ARNs
SCRAM (local target)    one SASL/SCRAM user per application
======================  =====================================================
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from functools import cached_property

from eventbus import naming
from eventbus.avro.compat import GLUE_MODES
from eventbus.desired.stack import StackConfig
from eventbus.model import Event, Registry

READ, WRITE, DESCRIBE, IDEMPOTENT = "Read", "Write", "Describe", "IdempotentWrite"


@dataclass(frozen=True, order=True)
class TopicSpec:
    name: str
    event: str  # <domain>/<event>
    partitions: int
    replication_factor: int
    config: tuple[tuple[str, str], ...]
    protect: bool
    classification: str
    lifecycle: str
    keyed: bool
    access_policy: str = "open"  # open | restricted

    @property
    def config_dict(self) -> dict[str, str]:
        return dict(self.config)


@dataclass(frozen=True, order=True)
class AclSpec:
    principal: str  # User:<team>.<application>
    resource_type: str  # Topic | Group | Cluster
    resource_name: str
    pattern: str  # Literal | Prefixed
    operation: str  # Read | Write | Describe | IdempotentWrite
    app: str  # <team>/<application>
    event: str = ""  # the event the grant serves ("" for group / cluster grants)
    host: str = "*"
    permission: str = "Allow"

    @property
    def key(self) -> str:
        """Stable identity (used as the Pulumi resource name)."""
        return f"{self.principal}|{self.resource_type}|{self.pattern}|{self.resource_name}|{self.operation}|{self.host}|{self.permission}"


@dataclass(frozen=True, order=True)
class Statement:
    sid: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]


@dataclass(frozen=True, order=True)
class RoleSpec:
    name: str
    app: str
    trust_principals: tuple[str, ...]
    statements: tuple[Statement, ...]
    permissions_boundary: str | None = None

    def trust_policy(self) -> dict:
        return {
            "Version": "2012-10-17",
            "Statement": [{"Sid": "AssumedByApplication", "Effect": "Allow", "Principal": {"AWS": list(self.trust_principals)}, "Action": "sts:AssumeRole"}],
        }

    def policy(self) -> dict:
        return {
            "Version": "2012-10-17",
            "Statement": [{"Sid": s.sid, "Effect": "Allow", "Action": list(s.actions), "Resource": list(s.resources)} for s in self.statements],
        }


@dataclass(frozen=True, order=True)
class AppSpec:
    ref: str  # <team>/<application>
    team: str
    application: str
    kafka_user: str  # <team>.<application>
    produces: tuple[str, ...]  # topic names
    consumes: tuple[str, ...]
    group: str | None
    group_prefix: bool
    idempotent: bool
    principals: tuple[str, ...]
    role: str | None  # IAM role name (aws targets)
    sensitive: tuple[str, ...]  # consumed topics that carry PII/PHI

    @property
    def principal(self) -> str:
        return naming.principal(self.kafka_user)


@dataclass(frozen=True, order=True)
class SubjectSpec:
    name: str  # <topic>-value | <topic>-key
    event: str
    kind: str  # value | key
    compatibility: str  # Confluent mode
    glue_compatibility: str
    versions: tuple[tuple[int, str], ...]  # (version number, schema text), oldest first
    protect: bool


@dataclass(frozen=True)
class CatalogSpec:
    target: str  # s3 | folder
    location: str


@dataclass(frozen=True)
class DesiredState:
    stack: str
    environment: str
    target: str
    topics: tuple[TopicSpec, ...]
    acls: tuple[AclSpec, ...]
    apps: tuple[AppSpec, ...]
    roles: tuple[RoleSpec, ...]
    subjects: tuple[SubjectSpec, ...]
    catalog: CatalogSpec | None
    registry_kind: str
    skipped: tuple[str, ...] = field(default=())  # what this target leaves out, said once
    account: str | None = None  # AWS account of the cluster (and of the generated roles); None off AWS
    partition: str = "aws"  # AWS partition of the ARNs: aws | aws-us-gov

    def grants(self) -> frozenset[tuple[str, str, str]]:
        """(principal, operation, resource) for every ACL and IAM action granted."""
        out = {(a.principal, a.operation, f"{a.resource_type}:{a.pattern}:{a.resource_name}") for a in self.acls}
        for r in self.roles:
            for s in r.statements:
                for action in s.actions:
                    for res in s.resources:
                        out.add((f"role:{r.name}", action, res))
        return frozenset(out)

    def to_dict(self) -> dict:
        d = asdict(self)
        for r, spec in zip(d["roles"], self.roles):
            r["policy"] = spec.policy()
            r["trust_policy"] = spec.trust_policy()
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=1, sort_keys=True)

    @property
    def topics_by_name(self) -> dict[str, TopicSpec]:
        return {t.name: t for t in self.topics}

    # -- read indexes, built once per state (the catalog and other readers look things up here) --
    @cached_property
    def topic_by_event(self) -> dict[str, TopicSpec]:
        """Event ref -> its topic on this stack (absent: no topic here)."""
        return {t.event: t for t in self.topics}

    @cached_property
    def apps_by_ref(self) -> dict[str, AppSpec]:
        return {a.ref: a for a in self.apps}

    def _apps_by_topic(self, attr: str) -> dict[str, tuple[AppSpec, ...]]:
        out: dict[str, list[AppSpec]] = {}
        for a in self.apps:
            for t in getattr(a, attr):
                out.setdefault(t, []).append(a)
        return {k: tuple(v) for k, v in out.items()}

    @cached_property
    def readers_by_topic(self) -> dict[str, tuple[AppSpec, ...]]:
        """Topic -> the applications granted to read it."""
        return self._apps_by_topic("consumes")

    @cached_property
    def writers_by_topic(self) -> dict[str, tuple[AppSpec, ...]]:
        """Topic -> the applications granted to write it."""
        return self._apps_by_topic("produces")

    @cached_property
    def subjects_by_event(self) -> dict[str, tuple[SubjectSpec, ...]]:
        """Event ref -> its schema subjects (value first, then key)."""
        out: dict[str, list[SubjectSpec]] = {}
        for s in self.subjects:
            out.setdefault(s.event, []).append(s)
        return {k: tuple(sorted(v, key=lambda s: s.kind != "value")) for k, v in out.items()}

    @cached_property
    def role_arns(self) -> dict[str, str]:
        """Application ref -> ARN of its generated IAM role (aws targets; empty elsewhere)."""
        if self.account is None:
            return {}
        return {r.app: f"arn:{self.partition}:iam::{self.account}:role/{r.name}" for r in self.roles}


def topic_config(e: Event, stack: StackConfig) -> tuple[tuple[str, str], ...]:
    min_isr = stack.min_insync(e.topic.min_insync_replicas)
    return tuple(
        sorted(
            {
                "cleanup.policy": e.topic.cleanup_policy,
                "retention.ms": str(e.topic.retention_ms),
                "min.insync.replicas": str(min_isr),
                "max.message.bytes": str(e.topic.max_message_bytes),
            }.items()
        )
    )


def _arn(stack: StackConfig, kind: str, name: str) -> str:
    c = stack.cluster
    return f"arn:{stack.partition}:kafka:{c.region}:{c.account}:{kind}/{c.name}/{c.uuid}/{name}"


def has_topic(e: Event, stack: StackConfig) -> bool:
    """An event has a topic in every environment that allows its data, until it is retired."""
    return e.lifecycle != "retired" and e.classification in stack.allowed_classifications


def compute(registry: Registry, stack: StackConfig) -> DesiredState:
    env = stack.environment
    events = {e.ref: e for e in registry.events if has_topic(e, stack)}
    topics = [
        TopicSpec(
            name=stack.topic(e.topic_name),
            event=e.ref,
            partitions=e.topic.partitions,
            replication_factor=stack.replication_factor,
            config=topic_config(e, stack),
            protect=stack.protect,
            classification=e.classification,
            lifecycle=e.lifecycle,
            keyed=e.key_schema is not None,
            access_policy=e.access_policy,
        )
        for e in events.values()
    ]

    # applications: identity (principals, group) only from the application's own file;
    # productions from the event files of its team, subscriptions from its own file
    apps: dict[str, dict] = {}

    def app(c) -> dict:
        return apps.setdefault(c.ref, {"team": c.team, "application": c.application, "produces": {}, "consumes": {},
                                       "principals": set(c.principals.get(env, ())), "group": None, "prefix": False, "idempotent": False})

    for e in events.values():
        topic = stack.topic(e.topic_name)
        for p in e.producers:
            c = registry.producer_app(e, p)
            if c is None or env not in c.principals:
                continue
            a = app(c)
            a["produces"][topic] = e
            a["idempotent"] = a["idempotent"] or p.idempotent
    for c in registry.consumers:
        if env not in c.principals:
            continue
        subs = [s for s in c.subscriptions if env in s.environments and s.event in events and _admitted(events[s.event], c.ref)]
        if not subs:
            continue
        a = app(c)
        for s in subs:
            e = events[s.event]
            a["consumes"][stack.topic(e.topic_name)] = e
        a["group"] = c.consumer_group.name
        a["prefix"] = c.consumer_group.prefix

    acls: list[AclSpec] = []
    roles: list[RoleSpec] = []
    app_specs: list[AppSpec] = []
    for ref, a in sorted(apps.items()):
        user = naming.kafka_user(a["team"], a["application"])
        principal = naming.principal(user)
        for topic, e in sorted(a["produces"].items()):
            acls += [AclSpec(principal, "Topic", topic, "Literal", op, ref, e.ref) for op in (WRITE, DESCRIBE)]
        for topic, e in sorted(a["consumes"].items()):
            acls += [AclSpec(principal, "Topic", topic, "Literal", op, ref, e.ref) for op in (READ, DESCRIBE)]
        if a["consumes"]:
            acls.append(AclSpec(principal, "Group", a["group"], "Prefixed" if a["prefix"] else "Literal", READ, ref))
        if a["produces"] and a["idempotent"]:
            acls.append(AclSpec(principal, "Cluster", "kafka-cluster", "Literal", IDEMPOTENT, ref))
        role = None
        if stack.target == "aws":
            role = stack.role(a["team"], a["application"])
            statements = [Statement("Connect", ("kafka-cluster:Connect",), (stack.cluster.arn,))]
            if a["produces"] and a["idempotent"]:
                statements.append(Statement("IdempotentWrite", ("kafka-cluster:WriteDataIdempotently",), (stack.cluster.arn,)))
            if a["produces"]:
                statements.append(Statement("Produce", ("kafka-cluster:DescribeTopic", "kafka-cluster:WriteData"), tuple(_arn(stack, "topic", t) for t in sorted(a["produces"]))))
            if a["consumes"]:
                statements.append(Statement("Consume", ("kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"), tuple(_arn(stack, "topic", t) for t in sorted(a["consumes"]))))
                group = a["group"] + ("*" if a["prefix"] else "")
                statements.append(Statement("ConsumerGroup", ("kafka-cluster:AlterGroup", "kafka-cluster:DescribeGroup"), (_arn(stack, "group", group),)))
            roles.append(RoleSpec(role, ref, tuple(sorted(a["principals"])), tuple(statements), stack.permissions_boundary))
        app_specs.append(
            AppSpec(
                ref=ref,
                team=a["team"],
                application=a["application"],
                kafka_user=user,
                produces=tuple(sorted(a["produces"])),
                consumes=tuple(sorted(a["consumes"])),
                group=a["group"],
                group_prefix=a["prefix"],
                idempotent=a["idempotent"] and bool(a["produces"]),
                principals=tuple(sorted(a["principals"])),
                role=role,
                sensitive=tuple(sorted(t for t, e in a["consumes"].items() if e.sensitive)),
            )
        )

    subjects: list[SubjectSpec] = []
    if stack.registry_kind != "none":
        for e in events.values():
            topic = stack.topic(e.topic_name)
            subjects.append(SubjectSpec(naming.subject(topic, "value"), e.ref, "value", e.compatibility, GLUE_MODES[e.compatibility],
                                        tuple((v.version, v.text) for v in e.versions), stack.protect))
            if e.key_schema is not None:
                subjects.append(SubjectSpec(naming.subject(topic, "key"), e.ref, "key", "NONE", "DISABLED", ((1, e.key_schema.text),), stack.protect))

    catalog = None
    if stack.catalog_bucket:
        catalog = CatalogSpec("s3", stack.catalog_bucket)
    elif stack.catalog_folder:
        catalog = CatalogSpec("folder", stack.catalog_folder)

    skipped = ()
    if stack.target == "local":
        skipped = ("IAM roles and policies (AWS only; the local broker uses one SASL/SCRAM user per application)", "AWS Glue schema registry")
    return DesiredState(
        stack=stack.name,
        environment=env,
        target=stack.target,
        topics=tuple(sorted(topics)),
        acls=tuple(sorted(set(acls))),
        apps=tuple(app_specs),
        roles=tuple(sorted(roles)),
        subjects=tuple(sorted(subjects)),
        catalog=catalog,
        registry_kind=stack.registry_kind,
        skipped=skipped,
        account=stack.cluster.account if stack.target == "aws" else None,
        partition=stack.partition,
    )


def _admitted(e: Event, consumer_ref: str) -> bool:
    """Defence in depth: a restricted event never grants access to an unlisted consumer, even if the gate was bypassed."""
    return e.access_policy != "restricted" or consumer_ref in e.allowed_consumers
