"""The program's components, each with its args built from the desired state's specs.

* :class:`Event` (``eventbus:index:Event``, named by the event ref) — the Kafka topic
  (pulumi-kafka; protected and retained on delete where the stack protects) and its
  schema-registry subjects.
* An application (``eventbus:index:Application``, named by the application ref), one of three
  components by the resources its stack's authorization gives it:

  - :class:`AclApplication` (ACL authorization) — one ``eventbus:kafka:Principal`` holding all its
    ACL bindings and, where the stack manages them, its SASL/SCRAM credential;
  - :class:`IamApplication` (IAM authorization) — an IAM role assumable by its principals, with an
    inline least-privilege policy;
  - :class:`AclAndIamApplication` (both) — the principal and the role.

  An adopted principal or role (the application's legacy identity in the stack's adoption record)
  is retained on delete: when the record lets it go, the application moves to its derived names
  and the legacy one is released as it is, never deleted.

Every child is declared with ``parent=`` its component (an IAM role's policy with ``parent=`` the
role). A child with an explicit provider (the topic, the principal, a Confluent subject) gets it
in its own options; the component has none.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_kafka as kafka

from eventbus.adapters.pulumi_program.provider import Principal, Subject
from eventbus.adapters.pulumi_program.registry import RegistryTarget
from eventbus.adapters.pulumi_program.scope import APPLICATION, EVENT
from eventbus.desired import AclSpec, AppSpec, DesiredState, RoleSpec, SubjectSpec, TopicSpec
from eventbus.desired.clients import SCRAM_MECHANISM, scram_password
from eventbus.model.stack import StackConfig


def import_id(spec: TopicSpec, live: set[str]) -> str | None:
    """The import id the topic's resource gets: the adoption record's (``spec.adopt``), else the
    topic's name when it is on the cluster and EVENTBUS_ADOPT_TOPICS asked for it (``live``).
    Pulumi imports a resource with an import id when its state lacks it, then updates what differs;
    once in the state the same id changes nothing, and the engine refuses to replace it."""
    return spec.adopt or (spec.name if spec.name in live else None)


def scram_output(seed: pulumi.Output, user: str) -> pulumi.Output[str]:
    """The SASL/SCRAM password of ``user``, derived from the stack's seed (a secret)."""
    return pulumi.Output.secret(seed.apply(lambda s: scram_password(s, user)))


# -- events --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class EventArgs:
    """What an :class:`Event` declares, and where its children go."""

    topic: TopicSpec
    subjects: tuple[SubjectSpec, ...]
    kafka_provider: pulumi.ProviderResource  # the topic's provider (pulumi-kafka)
    registry: RegistryTarget  # the subjects' target
    import_id: str | None = None  # the live topic to adopt

    @classmethod
    def of(cls, state: DesiredState, topic: TopicSpec, kafka_provider: pulumi.ProviderResource, registry: RegistryTarget,
           live: set[str]) -> EventArgs:
        """The args of ``topic``'s event; ``live``: the topics on the cluster to adopt (:func:`import_id`)."""
        return cls(topic, state.subjects_by_event.get(topic.event, ()), kafka_provider, registry, import_id(topic, live))


class Event(pulumi.ComponentResource):
    """``eventbus:index:Event``: one event's topic and its schema-registry subjects."""

    topic: kafka.Topic
    topic_name: pulumi.Output[str]
    subjects: dict[str, pulumi.Resource]  # subject name -> its resource (none on stacks without a registry)
    schema_ids: dict[str, pulumi.Output[list]]  # subject name -> the registry's ``{version, id}`` per version (Confluent targets)

    def __init__(self, name: str, args: EventArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(EVENT, name, {}, opts)
        spec = args.topic
        self.topic = kafka.Topic(
            spec.name,
            name=spec.name,
            partitions=spec.partitions,
            replication_factor=spec.replication_factor,
            config=spec.config_dict,
            opts=pulumi.ResourceOptions(parent=self, provider=args.kafka_provider, protect=spec.protect, retain_on_delete=spec.protect,
                                        import_=args.import_id),
        )
        self.subjects = {}
        for s in args.subjects:
            resource = args.registry.subject(s, self)
            if resource is not None:
                self.subjects[s.name] = resource
        self.schema_ids = {n: r.registered for n, r in self.subjects.items() if isinstance(r, Subject)}
        self.topic_name = self.topic.name
        self.register_outputs({"topic": self.topic_name})


# -- applications --------------------------------------------------------------------------------
@dataclass(frozen=True)
class AclApplicationArgs:
    """An application's Kafka principal: its ACL bindings and, where the stack manages SASL/SCRAM
    users, its password."""

    kafka_user: str
    principal: str  # User:<kafka user>
    acls: tuple[AclSpec, ...]
    provider: pulumi.ProviderResource  # the principal's provider (ours)
    password: pulumi.Output[str] | None = None  # None: no credential of the stack's (ACL-only stacks, a kept adopted credential)
    import_id: str | None = None  # the live bindings to adopt
    keep_credential: bool = False  # its live SCRAM credential is its own (adoption record): never deleted

    @classmethod
    def of(cls, state: DesiredState, app: AppSpec, provider: pulumi.ProviderResource, seed: pulumi.Output | None) -> AclApplicationArgs:
        """``seed``: the stack's SCRAM seed, on stacks that manage SCRAM users."""
        password = scram_output(seed, app.kafka_user) if seed is not None and not app.keep_credential else None
        return cls(app.kafka_user, app.principal, state.acls_by_app.get(app.ref, ()), provider, password, app.adopt, app.keep_credential)

    @property
    def declares_principal(self) -> bool:
        """Whether there is anything to hold: bindings or a credential."""
        return bool(self.acls) or self.password is not None


@dataclass(frozen=True)
class IamApplicationArgs:
    """An application's IAM role and its policy."""

    kafka_user: str  # names the role's and the policy's resources
    role: RoleSpec
    description: str
    tags: dict[str, str]

    @classmethod
    def of(cls, state: DesiredState, app: AppSpec, stack: StackConfig) -> IamApplicationArgs | None:
        """None when the stack gives the application no role (no IAM authorization)."""
        role = state.roles_by_app.get(app.ref)
        if role is None:
            return None
        return cls(app.kafka_user, role, f"Event bus access of {app.ref} in {stack.environment} (generated from the registry)",
                   {"eventbus:application": app.ref, "eventbus:environment": stack.environment, "managed-by": "eventbus-registry"})


@dataclass(frozen=True)
class AclAndIamApplicationArgs:
    acl: AclApplicationArgs
    iam: IamApplicationArgs


class Application(pulumi.ComponentResource):
    """``eventbus:index:Application``: what the three application components have in common, their
    type and their outputs."""

    kafka_user: pulumi.Output[str]
    password: pulumi.Output[str] | None  # the SASL/SCRAM password the stack manages
    role_arn: pulumi.Output[str] | None  # the IAM role's ARN

    def __init__(self, name: str, kafka_user: str, opts: pulumi.ResourceOptions | None):
        super().__init__(APPLICATION, name, {}, opts)
        self.kafka_user = pulumi.Output.from_input(kafka_user)
        self.password = None
        self.role_arn = None

    def outputs(self) -> dict[str, pulumi.Output]:
        """The outputs the component registers: ``kafkaUser``, and ``password`` and ``roleArn`` where it has them."""
        out = {"kafkaUser": self.kafka_user}
        if self.password is not None:
            out["password"] = self.password
        if self.role_arn is not None:
            out["roleArn"] = self.role_arn
        return out


def _principal(parent: Application, args: AclApplicationArgs) -> Principal | None:
    if not args.declares_principal:
        return None
    return Principal(
        args.kafka_user,
        principal=args.principal,
        acls=[{"resourceType": a.resource_type, "resourceName": a.resource_name, "patternType": a.pattern,
               "operation": a.operation, "host": a.host, "permission": a.permission} for a in args.acls],
        scram={"mechanism": SCRAM_MECHANISM, "password": args.password} if args.password is not None else None,
        keep_scram=args.keep_credential,  # a credential that becomes kept stays as it is on the cluster
        # adopted (the legacy principal found live): released, not deleted, when the record lets it go
        opts=pulumi.ResourceOptions(parent=parent, provider=args.provider, import_=args.import_id, retain_on_delete=args.import_id is not None),
    )


def _role(parent: Application, args: IamApplicationArgs):
    import pulumi_aws as aws

    role = aws.iam.Role(
        f"{args.kafka_user}-role",
        name=args.role.name,
        assume_role_policy=json.dumps(args.role.trust_policy()),
        permissions_boundary=args.role.permissions_boundary,
        description=args.description,
        tags=args.tags,
        opts=pulumi.ResourceOptions(parent=parent, import_=args.role.adopt, retain_on_delete=args.role.adopt is not None),  # adopted: released, not deleted
    )
    policy = aws.iam.RolePolicy(
        f"{args.kafka_user}-access",
        role=role.id,
        name="eventbus-access",
        policy=json.dumps(args.role.policy()),
        opts=pulumi.ResourceOptions(parent=role),
    )
    return role, policy


class AclApplication(Application):
    """An application on an ACL stack: its principal (none when it has no bindings and no credential)."""

    principal: Principal | None

    def __init__(self, name: str, args: AclApplicationArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, args.kafka_user, opts)
        self.principal = _principal(self, args)
        self.password = args.password
        self.register_outputs(self.outputs())


class IamApplication(Application):
    """An application on an IAM stack: its role and the role's policy."""

    def __init__(self, name: str, args: IamApplicationArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, args.kafka_user, opts)
        self.role, self.policy = _role(self, args)
        self.role_arn = self.role.arn
        self.register_outputs(self.outputs())


class AclAndIamApplication(Application):
    """An application on a stack with both authorizations: its principal, then its role."""

    principal: Principal | None

    def __init__(self, name: str, args: AclAndIamApplicationArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, args.acl.kafka_user, opts)
        self.principal = _principal(self, args.acl)
        self.password = args.acl.password
        self.role, self.policy = _role(self, args.iam)
        self.role_arn = self.role.arn
        self.register_outputs(self.outputs())


def application(state: DesiredState, app: AppSpec, stack: StackConfig, provider: pulumi.ProviderResource, seed: pulumi.Output | None,
                opts: pulumi.ResourceOptions | None = None) -> Application:
    """The component of ``app``, by the resources its stack gives it."""
    acl = AclApplicationArgs.of(state, app, provider, seed)
    iam = IamApplicationArgs.of(state, app, stack)
    if iam is None:
        return AclApplication(app.ref, acl, opts)
    if acl.declares_principal:
        return AclAndIamApplication(app.ref, AclAndIamApplicationArgs(acl, iam), opts)
    return IamApplication(app.ref, iam, opts)
