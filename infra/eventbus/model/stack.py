"""A deployment target's settings (``Pulumi.<stack>.yaml``), typed; read by :mod:`eventbus.load.stacks`."""
from __future__ import annotations

from dataclasses import dataclass, field

from eventbus.model import naming


@dataclass(frozen=True)
class Cluster:
    bootstrap_servers: tuple[str, ...]
    arn: str | None
    sasl_mechanism: str
    tls: bool
    partition: str | None = None
    region: str | None = None
    account: str | None = None
    name: str | None = None
    uuid: str | None = None


@dataclass(frozen=True)
class StackConfig:
    name: str
    file: str
    environment: str
    target: str  # aws | local
    allowed_classifications: tuple[str, ...]
    topic_suffix: str
    replication_factor: int
    min_insync_cap: int | None
    protect: bool
    cluster: Cluster
    registry_kind: str  # confluent | glue | none
    registry_name: str | None
    catalog_bucket: str | None
    catalog_folder: str | None
    role_prefix: str
    permissions_boundary: str | None
    region: str | None
    authorization: tuple[str, ...] = ("acl",)  # iam and/or acl
    scram_users: bool = False
    registry_url: str | None = None
    raw: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def partition(self) -> str:
        return self.cluster.partition or ("aws-us-gov" if (self.region or "").startswith("us-gov-") else "aws")

    def topic(self, base: str) -> str:
        return naming.topic(base, self.topic_suffix)

    def role(self, team: str, application: str) -> str:
        return naming.role_name(self.role_prefix, team, application)

    def role_arn(self, role: str) -> str | None:
        """The ARN of a role this stack creates (None without a cluster account)."""
        return f"arn:{self.partition}:iam::{self.cluster.account}:role/{role}" if self.cluster.account else None

    def min_insync(self, wanted: int) -> int:
        """The topic's min.insync.replicas on this stack: the event's value, lowered only by the
        stack's explicit ``minInsyncReplicasCap`` (a single-broker local stack)."""
        return min(wanted, self.min_insync_cap) if self.min_insync_cap else wanted
