"""Kafka admin adapter: read the live cluster (topics, configs, ACLs, SCRAM users, consumer
groups) and compare it with the desired state (``eventbus drift``), or take its inventory
(``eventbus import``). Read-only: nothing here changes the cluster.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

from eventbus.desired import Connection, DesiredState


class KafkaUnavailable(RuntimeError):
    pass


def client_config(conn: Connection, username: str | None = None, password: str | None = None) -> dict:
    """Admin client settings: SASL user and password, or on MSK IAM stacks the caller's AWS
    credentials through SASL/OAUTHBEARER (``aws-msk-iam-sasl-signer-python``)."""
    conf = {"bootstrap.servers": ",".join(conn.bootstrap_servers), "client.id": "eventbus-drift", "socket.timeout.ms": 10000,
            "log_level": 3, "security.protocol": conn.security_protocol}
    if conn.iam:
        conf.update({"sasl.mechanisms": "OAUTHBEARER", "oauth_cb": iam_token_callback(conn.region)})
        return conf
    secret = password if password is not None else os.environ.get("KAFKA_ADMIN_PASSWORD", "")
    if not secret:  # librdkafka would refuse to create the client ("sasl.password must be set")
        raise KafkaUnavailable("no admin password for the cluster: set KAFKA_ADMIN_PASSWORD, or on the local stack run scripts/up.sh "
                               "(it writes .state/kafka/admin.password)")
    conf.update({
        "sasl.mechanism": conn.sasl_mechanism,
        "sasl.username": username or os.environ.get("KAFKA_ADMIN_USERNAME", "admin"),
        "sasl.password": secret,
    })
    return conf


def iam_token_callback(region: str | None):
    """librdkafka's OAUTHBEARER callback: an MSK IAM token signed with the caller's AWS credentials."""
    try:
        from aws_msk_iam_sasl_signer import MSKAuthTokenProvider
    except ImportError:  # pragma: no cover - it is a dependency
        raise KafkaUnavailable("MSK IAM needs the package aws-msk-iam-sasl-signer-python") from None

    def token(_config):
        value, expiry_ms = MSKAuthTokenProvider.generate_auth_token(region or "us-gov-west-1")
        return value, expiry_ms / 1000

    return token


@dataclass(frozen=True)
class LiveTopic:
    name: str
    partitions: int
    replication_factor: int
    config: dict


@dataclass
class LiveState:
    topics: dict[str, LiveTopic] = field(default_factory=dict)
    acls: set[tuple] = field(default_factory=set)  # AclSpec.identity of every binding on the cluster
    scram_users: set[str] = field(default_factory=set)


MANAGED_CONFIGS = ("cleanup.policy", "retention.ms", "min.insync.replicas", "max.message.bytes")


def read_live(conf: dict, timeout: float = 20.0) -> LiveState:
    from confluent_kafka import KafkaException
    from confluent_kafka.admin import AdminClient, ConfigResource, ResourceType

    admin = AdminClient(conf)
    live = LiveState()
    try:
        md = admin.list_topics(timeout=timeout)
    except KafkaException as exc:
        raise KafkaUnavailable(f"cannot reach Kafka at {conf['bootstrap.servers']}: {exc.args[0].str() if exc.args else exc}") from None
    names = sorted(t for t in md.topics if not t.startswith("__"))
    configs = {}
    if names:
        futs = admin.describe_configs([ConfigResource(ResourceType.TOPIC, n) for n in names], request_timeout=timeout)
        for res, fut in futs.items():
            entries = fut.result(timeout=timeout)
            configs[res.name] = {k: v.value for k, v in entries.items() if k in MANAGED_CONFIGS}
    for n in names:
        t = md.topics[n]
        parts = t.partitions
        rf = len(next(iter(parts.values())).replicas) if parts else 0
        live.topics[n] = LiveTopic(n, len(parts), rf, configs.get(n, {}))
    live.acls = _read_acls(admin, timeout)
    live.scram_users = _read_scram_users(admin, timeout)
    return live


def _read_acls(admin, timeout: float) -> set[tuple]:
    """Every ACL binding on the cluster, as :attr:`AclSpec.identity` tuples."""
    from confluent_kafka.admin import AclBindingFilter, AclOperation, AclPermissionType, ResourcePatternType, ResourceType

    out = set()
    flt = AclBindingFilter(ResourceType.ANY, None, ResourcePatternType.ANY, None, None, AclOperation.ANY, AclPermissionType.ANY)
    for b in admin.describe_acls(flt, request_timeout=timeout).result(timeout=timeout):
        restype = "Cluster" if b.restype.name == "BROKER" else _restype(b.restype.name)  # librdkafka calls the cluster resource BROKER
        out.add((b.principal, restype, b.name, _title(b.resource_pattern_type.name), _op(b.operation.name), b.host, _title(b.permission_type.name)))
    return out


def _read_scram_users(admin, timeout: float) -> set[str]:
    from confluent_kafka import KafkaException

    try:
        users = admin.describe_user_scram_credentials(request_timeout=timeout).result(timeout=timeout)
        return {u for u, desc in users.items() if desc.scram_credential_infos}
    except (KafkaException, TypeError):
        return set()


def _restype(name: str) -> str:
    return "TransactionalId" if name == "TRANSACTIONAL_ID" else _title(name)


@dataclass(frozen=True)
class TopicFound:
    """A topic as ``eventbus import`` reads it: its id, size and every setting that matters."""

    name: str
    partitions: int
    replication_factor: int
    topic_id: str | None
    config: dict  # effective value of each of MANAGED_CONFIGS (set on the topic or inherited)
    overrides: dict  # every setting set on the topic itself (dynamic topic config)


@dataclass
class Inventory:
    """What ``eventbus import`` reads from a cluster; nothing is modified."""

    cluster_id: str | None = None
    topics: dict[str, TopicFound] = field(default_factory=dict)
    acls: set[tuple] = field(default_factory=set)  # AclSpec.identity of every binding
    scram_users: set[str] = field(default_factory=set)
    groups: dict[str, frozenset[str]] = field(default_factory=dict)  # consumer group -> topics it has committed offsets on


def _chunks(items: list, n: int):
    for i in range(0, len(items), n):
        yield items[i : i + n]


def read_inventory(conf: dict, timeout: float = 30.0, acls: bool = True, progress=None) -> Inventory:
    """Topics (partitions, replication, topic id, settings), ACL bindings, SASL/SCRAM users and
    consumer groups with the topics they committed offsets on; read-only (list and describe
    requests only). ``progress(step, done, total)`` is called as it goes (large clusters)."""
    from confluent_kafka import ConsumerGroupTopicPartitions, KafkaException, TopicCollection
    from confluent_kafka.admin import AdminClient, ConfigResource, ConfigSource, ResourceType

    tell = progress or (lambda *_: None)
    admin = AdminClient(conf)
    inv = Inventory()
    try:
        md = admin.list_topics(timeout=timeout)
        inv.cluster_id = md.cluster_id
    except KafkaException as exc:
        raise KafkaUnavailable(f"cannot reach Kafka at {conf['bootstrap.servers']}: {exc.args[0].str() if exc.args else exc}") from None
    names = sorted(md.topics)
    ids: dict[str, str] = {}
    configs: dict[str, tuple[dict, dict]] = {}
    done = 0
    for chunk in _chunks(names, 200):
        for name, fut in admin.describe_topics(TopicCollection(chunk), request_timeout=timeout).items():
            ids[name] = str(fut.result(timeout=timeout).topic_id)
        for res, fut in admin.describe_configs([ConfigResource(ResourceType.TOPIC, n) for n in chunk], request_timeout=timeout).items():
            entries = fut.result(timeout=timeout)
            configs[res.name] = ({k: v.value for k, v in entries.items() if k in MANAGED_CONFIGS},
                                 {k: v.value for k, v in entries.items() if v.source == ConfigSource.DYNAMIC_TOPIC_CONFIG.value})
        done += len(chunk)
        tell("topics", done, len(names))
    for n in names:
        parts = md.topics[n].partitions
        rf = len(next(iter(parts.values())).replicas) if parts else 0
        effective, overrides = configs.get(n, ({}, {}))
        inv.topics[n] = TopicFound(n, len(parts), rf, ids.get(n), effective, overrides)
    if acls:
        inv.acls = _read_acls(admin, timeout)
        inv.scram_users = _read_scram_users(admin, timeout)
    listed = admin.list_consumer_groups(request_timeout=timeout).result(timeout=timeout)
    groups = sorted(g.group_id for g in listed.valid)
    for i, g in enumerate(groups, 1):
        futs = admin.list_consumer_group_offsets([ConsumerGroupTopicPartitions(g)], request_timeout=timeout)
        got = futs[g].result(timeout=timeout)
        inv.groups[g] = frozenset(tp.topic for tp in got.topic_partitions or () if tp.offset is not None and tp.offset >= 0)
        tell("consumer groups", i, len(groups))
    return inv


def _title(s: str) -> str:
    return s.capitalize()


def _op(s: str) -> str:
    return "".join(p.capitalize() for p in s.split("_"))


def _binding(a: tuple) -> str:
    """An ACL binding (:attr:`AclSpec.identity`) as a line; the host only when it is not ``*``
    (two bindings may differ by nothing else)."""
    host = "" if a[5] == "*" else f" from host {a[5]}"
    return f"{a[0]} {a[6]} {a[4]} on {a[1]} {a[2]} ({a[3]}){host}"


@dataclass
class Drift:
    lines: list[str]

    @property
    def clean(self) -> bool:
        return not self.lines


def compare(desired: DesiredState, live: LiveState, admin_users: tuple[str, ...] = ("admin",)) -> Drift:
    out: list[str] = []
    for t in desired.topics:
        lt = live.topics.get(t.name)
        if lt is None:
            out.append(f"topic {t.name}: missing on the cluster")
            continue
        if lt.partitions != t.partitions:
            out.append(f"topic {t.name}: {lt.partitions} partitions on the cluster, {t.partitions} desired")
        if lt.replication_factor != t.replication_factor:
            out.append(f"topic {t.name}: replication factor {lt.replication_factor} on the cluster, {t.replication_factor} desired")
        for k, v in t.config_dict.items():
            if lt.config.get(k) != v:
                out.append(f"topic {t.name}: {k}={lt.config.get(k)} on the cluster, {v} desired")
    desired_names = {t.name for t in desired.topics}
    for name in sorted(set(live.topics) - desired_names):
        out.append(f"topic {name}: on the cluster but not in the registry")
    want = {a.identity for a in desired.acls}
    for a in sorted(want - live.acls):
        out.append(f"acl missing: {_binding(a)}")
    for a in sorted(live.acls - want):
        out.append(f"acl not in the registry: {_binding(a)}")
    if desired.scram_users:
        users = {a.kafka_user for a in desired.apps}
        for u in sorted(users - live.scram_users):
            out.append(f"scram user missing: {u}")
        for u in sorted(live.scram_users - users - set(admin_users)):
            out.append(f"scram user not in the registry: {u}")
    return Drift(out)
