"""The Pulumi program: materialise one stack's desired state.

Thin by design: every name, config and grant comes from
:func:`eventbus.desired.state.compute`; this module only maps those specs to
resources, grouped into one component per event and one per application.

* ``eventbus:index:Event`` — the Kafka topic (pulumi-kafka; protected and
  retained on delete where the stack protects) and its schema-registry subjects.
* ``eventbus:index:Application`` — one ``eventbus:kafka:Principal`` holding all
  its ACL bindings (and its SASL/SCRAM credential on the local target), and on
  aws targets an IAM role with an inline least-privilege policy.

ACLs, SCRAM users and Confluent registry subjects go through our own provider
(:mod:`eventbus.adapters.pulumi_program.provider`, source ``go/eventbus``):
one resource per application instead of one bridged resource per binding.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os

import pulumi
import pulumi_kafka as kafka

from eventbus.adapters.pulumi_program import sdk_speed
from eventbus.adapters.pulumi_program.provider import Principal, Subject, eventbus_provider
from eventbus.adapters.pulumi_program.registry import registry_target
from eventbus.desired.stack import StackConfig, load_stack
from eventbus.desired.state import AppSpec, DesiredState, TopicSpec, compute
from eventbus.gate import validate

SCRAM_MECHANISM = "SCRAM-SHA-512"


class DeployRefused(Exception):
    """The tree does not pass the gate: nothing is deployed."""


def find_root() -> str:
    from eventbus.cli.main import find_root as _find

    return _find(os.environ.get("EVENTBUS_ROOT") or os.getcwd())


def scram_password(seed: str, username: str) -> str:
    """Per-application SCRAM password derived from the stack's secret seed (no state, no random provider)."""
    return hmac.new(seed.encode(), f"scram:{username}".encode(), hashlib.sha256).hexdigest()


class EventComponent(pulumi.ComponentResource):
    def __init__(self, spec: TopicSpec, subjects, registry, provider: kafka.Provider, opts: pulumi.ResourceOptions | None = None,
                 adopt: bool = False):
        super().__init__("eventbus:index:Event", spec.event, {}, opts)
        protect = spec.protect
        self.topic = kafka.Topic(
            spec.name,
            name=spec.name,
            partitions=spec.partitions,
            replication_factor=spec.replication_factor,
            config=spec.config_dict,
            # a topic on the cluster that the state does not know (a deploy killed before it saved
            # its state) is adopted, if it is exactly as declared; for a topic in the state this is a no-op
            opts=pulumi.ResourceOptions(parent=self, provider=provider, protect=protect, retain_on_delete=protect,
                                        import_=spec.name if adopt else None),
        )
        self.subjects = {s.name: registry.subject(s, self) for s in subjects}
        self.register_outputs({"topic": self.topic.name})


class ApplicationComponent(pulumi.ComponentResource):
    def __init__(self, app: AppSpec, acls, role, stack: StackConfig, provider: pulumi.ProviderResource, seed: pulumi.Output | None,
                 opts: pulumi.ResourceOptions | None = None):
        super().__init__("eventbus:index:Application", app.ref, {}, opts)
        outputs: dict = {"kafkaUser": app.kafka_user}
        scram = None
        if stack.target == "local":
            password = pulumi.Output.secret(seed.apply(lambda s: scram_password(s, app.kafka_user)))
            scram = {"mechanism": SCRAM_MECHANISM, "password": password}
            outputs["password"] = password
        self.principal = None
        if acls or scram:
            self.principal = Principal(
                app.kafka_user,
                principal=app.principal,
                acls=[{"resourceType": a.resource_type, "resourceName": a.resource_name, "patternType": a.pattern,
                       "operation": a.operation, "host": a.host, "permission": a.permission} for a in acls],
                scram=scram,
                opts=pulumi.ResourceOptions(parent=self, provider=provider),
            )
        if stack.target == "aws":
            import pulumi_aws as aws

            self.role = aws.iam.Role(
                f"{app.kafka_user}-role",
                name=role.name,
                assume_role_policy=json.dumps(role.trust_policy()),
                permissions_boundary=role.permissions_boundary,
                description=f"Event bus access of {app.ref} in {stack.environment} (generated from the registry)",
                tags={"eventbus:application": app.ref, "eventbus:environment": stack.environment, "managed-by": "eventbus-registry"},
                opts=pulumi.ResourceOptions(parent=self),
            )
            self.policy = aws.iam.RolePolicy(
                f"{app.kafka_user}-access",
                role=self.role.id,
                name="eventbus-access",
                policy=json.dumps(role.policy()),
                opts=pulumi.ResourceOptions(parent=self.role),
            )
            outputs["roleArn"] = self.role.arn
        self.outputs = outputs
        self.register_outputs(outputs)


def local_override(stack: StackConfig, name: str) -> str | None:
    """On the local target only: where scripts/up.sh started the broker and the registry
    (EVENTBUS_LOCAL_BOOTSTRAP, EVENTBUS_LOCAL_SCHEMA_REGISTRY_URL), when not on the default ports."""
    return os.environ.get(name) or None if stack.target == "local" else None


def cluster_access(stack: StackConfig, config: pulumi.Config) -> dict:
    """How the deploy reaches the cluster: bootstrap, TLS, SASL mechanism and admin credentials
    (from the stack's secret config, else KAFKA_ADMIN_USERNAME / KAFKA_ADMIN_PASSWORD)."""
    c = stack.cluster
    override = local_override(stack, "EVENTBUS_LOCAL_BOOTSTRAP")
    servers = [override] if override else list(c.bootstrap_servers)
    access: dict = {"bootstrap_servers": servers, "tls": c.tls, "sasl_mechanism": c.sasl_mechanism}
    if c.sasl_mechanism == "aws-iam":
        access["aws_region"] = stack.region
    else:
        access["username"] = config.get("kafkaAdminUser") or os.environ.get("KAFKA_ADMIN_USERNAME") or "admin"
        secret = config.get_secret("kafkaAdminPassword")
        env_pw = os.environ.get("KAFKA_ADMIN_PASSWORD")
        if secret is None and not env_pw:
            raise DeployRefused(f"{stack.file}: no Kafka admin password: set it with `pulumi config set --secret eventbus:kafkaAdminPassword ...`")
        access["password"] = secret if secret is not None else pulumi.Output.secret(env_pw)
    return access


def live_topics(stack: StackConfig, access: dict) -> set[str]:
    """The topics on the cluster, when EVENTBUS_ADOPT_TOPICS=1 (scripts/up.sh, which deploys with
    PULUMI_SKIP_CHECKPOINTS: a killed deploy saves no state, and its topics are adopted next time).
    SASL targets with the admin password in KAFKA_ADMIN_PASSWORD only; otherwise nothing is adopted."""
    if os.environ.get("EVENTBUS_ADOPT_TOPICS") != "1" or access["sasl_mechanism"] == "aws-iam" or not os.environ.get("KAFKA_ADMIN_PASSWORD"):
        return set()
    from confluent_kafka.admin import AdminClient

    mechanism = {"scram-sha512": "SCRAM-SHA-512", "scram-sha256": "SCRAM-SHA-256", "plain": "PLAIN"}[access["sasl_mechanism"]]
    admin = AdminClient({"bootstrap.servers": ",".join(access["bootstrap_servers"]),
                         "security.protocol": "SASL_SSL" if access["tls"] else "SASL_PLAINTEXT", "sasl.mechanism": mechanism,
                         "sasl.username": access["username"], "sasl.password": os.environ["KAFKA_ADMIN_PASSWORD"]})
    return set(admin.list_topics(timeout=30).topics)


def kafka_provider(access: dict) -> kafka.Provider:
    """pulumi-kafka, for topics."""
    args = dict(bootstrap_servers=access["bootstrap_servers"], tls_enabled=access["tls"], sasl_mechanism=access["sasl_mechanism"], timeout=120)
    if "aws_region" in access:
        args["sasl_aws_region"] = access["aws_region"]
    else:
        args["sasl_username"], args["sasl_password"] = access["username"], access["password"]
    return kafka.Provider("cluster", **args)


def bus_provider(stack: StackConfig, config: pulumi.Config, access: dict) -> pulumi.ProviderResource:
    """Our provider, for ACL bindings, SCRAM users and registry subjects. The registry's
    credentials are stack secrets (eventbus:schemaRegistryUsername / schemaRegistryPassword) or
    EVENTBUS_SCHEMA_REGISTRY_USERNAME / _PASSWORD."""
    username = config.get("schemaRegistryUsername") or os.environ.get("EVENTBUS_SCHEMA_REGISTRY_USERNAME")
    password = config.get_secret("schemaRegistryPassword")
    if password is None and os.environ.get("EVENTBUS_SCHEMA_REGISTRY_PASSWORD"):
        password = pulumi.Output.secret(os.environ["EVENTBUS_SCHEMA_REGISTRY_PASSWORD"])
    return eventbus_provider("bus", {
        "bootstrapServers": access["bootstrap_servers"],
        "tls": access["tls"],
        "saslMechanism": access["sasl_mechanism"],
        "saslUsername": access.get("username"),
        "saslPassword": access.get("password"),
        "awsRegion": access.get("aws_region"),
        "registryUrl": local_override(stack, "EVENTBUS_LOCAL_SCHEMA_REGISTRY_URL") or stack.registry_url,
        "registryUsername": username,
        "registryPassword": password,
    })


def publish(state: DesiredState, stack: StackConfig, root: str, registry_model) -> list:
    """Materialise the catalog with the deploy: built from the same tree, then a folder (local,
    written on `up`, not on preview) or objects in the stack's private bucket (cloud)."""
    from eventbus.adapters.pulumi_program.catalog import publish_catalog
    from eventbus.catalog import build_catalog

    if state.catalog is None:
        return []
    if state.catalog.target == "folder":
        if pulumi.runtime.is_dry_run():
            return []
        folder = state.catalog.location if os.path.isabs(state.catalog.location) else os.path.join(root, state.catalog.location)
        build_catalog(root, folder, registry=registry_model)
        return []
    site = os.path.join(os.environ.get("EVENTBUS_STATE", os.path.join(root, ".state")), f"catalog-{stack.name}")
    build_catalog(root, site, registry=registry_model)
    return publish_catalog(state, stack, site)


def build(state: DesiredState, stack: StackConfig, config: pulumi.Config) -> dict:
    """Declare every resource of ``state``. Returns the components (for tests)."""
    if state.skipped:
        pulumi.log.info(f"stack {stack.name} targets a local broker: skipping " + "; ".join(state.skipped))
    access = cluster_access(stack, config)
    provider = kafka_provider(access)
    bus = bus_provider(stack, config, access)
    registry = registry_target(stack, bus)
    subjects_by_event: dict[str, list] = {}
    for s in state.subjects:
        subjects_by_event.setdefault(s.event, []).append(s)
    live = live_topics(stack, access)
    events = {t.event: EventComponent(t, subjects_by_event.get(t.event, []), registry, provider, adopt=t.name in live) for t in state.topics}
    seed = None
    if stack.target == "local":
        seed = config.get_secret("scramSeed")
        if seed is None:
            env_seed = os.environ.get("EVENTBUS_SCRAM_SEED")
            if not env_seed:
                raise DeployRefused(f"{stack.file}: no SCRAM seed: set it with `pulumi config set --secret eventbus:scramSeed <random>`")
            seed = pulumi.Output.secret(env_seed)
    acls_by_app: dict[str, list] = {}
    for a in state.acls:
        acls_by_app.setdefault(a.app, []).append(a)
    roles = {r.app: r for r in state.roles}
    topic_resource = {t.name: events[t.event].topic for t in state.topics}
    apps = {}
    for app in state.apps:
        deps = sorted({*app.produces, *app.consumes})
        apps[app.ref] = ApplicationComponent(app, acls_by_app.get(app.ref, []), roles.get(app.ref), stack, bus, seed,
                                             pulumi.ResourceOptions(depends_on=[topic_resource[t] for t in deps]))
    pulumi.export("stack", {"environment": stack.environment, "target": stack.target, "bootstrapServers": access["bootstrap_servers"]})
    pulumi.export("topics", sorted(t.name for t in state.topics))
    pulumi.export("applications", {ref: c.outputs for ref, c in apps.items()})
    if state.catalog is not None:
        pulumi.export("catalog", {"target": state.catalog.target, "location": state.catalog.location})
    # the registry's schema id of every version, per subject (Confluent targets)
    ids = {name: r.registered for e in events.values() for name, r in e.subjects.items() if isinstance(r, Subject)}
    if ids:
        pulumi.export("subjects", dict(sorted(ids.items())))
    return {"events": events, "apps": apps, "provider": provider, "bus": bus, "registry": registry}


def main(root: str | None = None, stack_name: str | None = None) -> dict:
    sdk_speed.apply()
    root = root or find_root()
    stack_name = stack_name or pulumi.get_stack()
    stack = load_stack(root, stack_name)
    result = validate(root)
    if not result.ok:
        errors = [f.one_line() for f in result.findings if f.severity.name == "ERROR"]
        raise DeployRefused("the registry does not pass the gate; nothing deployed:\n  " + "\n  ".join(errors[:20]))
    state = compute(result.registry, stack)
    built = build(state, stack, pulumi.Config("eventbus"))
    built["catalog"] = publish(state, stack, root, result.registry)
    return built
