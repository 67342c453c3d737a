"""The specs a desired state is made of: plain, immutable, ordered values."""
from __future__ import annotations

from dataclasses import dataclass

from eventbus.model import naming

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
    classified_fields: tuple[tuple[str, str], ...] = ()  # (dotted path, PII | PHI) of the latest schema version's classified fields
    replaces: tuple[str, ...] = ()  # the events whose replaced_by names this one (<domain>/<event>)
    replaced_by: str | None = None  # the successor of this deprecated event
    adopt: str | None = None  # import id: the live topic the stack's adoption record holds (adopt/<stack>.yaml)

    @property
    def config_dict(self) -> dict[str, str]:
        return dict(self.config)


@dataclass(frozen=True, order=True)
class AclSpec:
    """One Kafka ACL binding. ``identity`` is what makes two bindings the same (the cluster's view);
    ``app`` and ``event`` say whom and what it serves."""

    principal: str  # User:<team>.<application>
    resource_type: str  # Topic | Group | Cluster
    resource_name: str
    pattern: str  # Literal | Prefixed
    operation: str  # Read | Write | Describe | IdempotentWrite
    app: str  # <team>/<application>
    event: str = ""  # the event the grant serves ("" for group / cluster grants)
    host: str = "*"
    permission: str = "Allow"
    kept: bool = False  # a binding the adoption record keeps as found live (not derived from the tree)

    @property
    def identity(self) -> tuple[str, str, str, str, str, str, str]:
        """(principal, resource type, resource name, pattern, operation, host, permission)."""
        return (self.principal, self.resource_type, self.resource_name, self.pattern, self.operation, self.host, self.permission)

    @property
    def resource(self) -> str:
        """``<type>:<pattern>:<name>``, as grants and reviewers read it."""
        return f"{self.resource_type}:{self.pattern}:{self.resource_name}"


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
    arn: str | None = None  # None when the stack names no account
    adopt: str | None = None  # import id: the application's existing role (adoption record)

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
    role: str | None  # IAM role name (IAM stacks)
    sensitive: tuple[str, ...]  # consumed topics that carry PII/PHI
    fields: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (consumed topic, the dotted paths its subscription declares), for those that declare
    adopt: str | None = None  # import id of its principal's bindings (``User:<kafka_user>``), found live (adoption record)
    keep_credential: bool = False  # its SASL/SCRAM credential exists and stays as it is (adoption record)

    @property
    def principal(self) -> str:
        return naming.principal(self.kafka_user)

    def declared(self, topic: str) -> tuple[str, ...] | None:
        """The fields the application declares it reads of a consumed topic (None: it declares
        none, so it reads every field)."""
        return next((paths for t, paths in self.fields if t == topic), None)


@dataclass(frozen=True, order=True)
class SubjectSpec:
    name: str  # <topic>-value | <topic>-key
    event: str
    kind: str  # value | key
    compatibility: str  # Confluent mode
    glue_compatibility: str
    versions: tuple[tuple[int, str], ...]  # (version number, schema text), oldest first
    protect: bool
    adopt: str | None = None  # import id: the subject the adoption record found in the registry


@dataclass(frozen=True)
class CatalogSpec:
    target: str  # s3 | folder
    location: str


@dataclass(frozen=True)
class Connection:
    """How clients (and this project's tools) reach the stack's cluster: one mapping of the
    stack's authentication to the settings Kafka clients and the Pulumi provider expect."""

    bootstrap_servers: tuple[str, ...]
    security_protocol: str  # SASL_SSL | SASL_PLAINTEXT
    sasl_mechanism: str  # Kafka client name: AWS_MSK_IAM | SCRAM-SHA-512 | SCRAM-SHA-256 | PLAIN
    provider_mechanism: str  # the Pulumi kafka provider's name: aws-iam | scram-sha512 | scram-sha256 | plain
    tls: bool
    region: str | None  # STS region for IAM

    @property
    def iam(self) -> bool:
        return self.provider_mechanism == "aws-iam"


@dataclass(frozen=True)
class RegistrySpec:
    kind: str  # confluent | glue | none
    name: str | None  # Glue registry name
    url: str | None  # Confluent-compatible REST endpoint
