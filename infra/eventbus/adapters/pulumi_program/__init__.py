"""The Pulumi program: materialise one stack's desired state.

Thin by design: every name, config and grant comes from :func:`eventbus.desired.compute`
(the entry point, :mod:`eventbus.deploy`, runs the gate first); this module only maps those
specs to resources, grouped into one component per event and one per application, and uploads
a catalog folder it is given.

* ``eventbus:index:Event`` — the Kafka topic (protected and retained on
  delete where the stack protects) and its schema-registry subjects.
* ``eventbus:index:Application`` — its ACLs, and either an IAM role with an
  inline least-privilege policy (aws targets) or a SASL/SCRAM user (local).
"""
from __future__ import annotations

import json
import os

import pulumi
import pulumi_kafka as kafka

from eventbus.adapters.pulumi_program.registry import registry_target
from eventbus.desired import AppSpec, DesiredState, TopicSpec
from eventbus.desired.clients import SCRAM_MECHANISM, scram_password
from eventbus.model.stack import StackConfig


class DeployRefused(Exception):
    """Something the deploy needs is missing or wrong: nothing is deployed."""


class EventComponent(pulumi.ComponentResource):
    def __init__(self, spec: TopicSpec, subjects, registry, provider: kafka.Provider, opts: pulumi.ResourceOptions | None = None):
        super().__init__("eventbus:index:Event", spec.event, {}, opts)
        protect = spec.protect
        self.topic = kafka.Topic(
            spec.name,
            name=spec.name,
            partitions=spec.partitions,
            replication_factor=spec.replication_factor,
            config=spec.config_dict,
            opts=pulumi.ResourceOptions(parent=self, provider=provider, protect=protect, retain_on_delete=protect),
        )
        self.subjects = [registry.subject(s, self) for s in subjects]
        self.register_outputs({"topic": self.topic.name})


class ApplicationComponent(pulumi.ComponentResource):
    def __init__(self, app: AppSpec, acls, role, stack: StackConfig, provider: kafka.Provider, seed: pulumi.Output | None,
                 opts: pulumi.ResourceOptions | None = None):
        super().__init__("eventbus:index:Application", app.ref, {}, opts)
        child = pulumi.ResourceOptions(parent=self, provider=provider)
        self.acls = []
        for a in acls:
            # URNs are unique per (parent type, type, name): the name carries the application
            name = f"{app.kafka_user}-{a.operation}-{a.resource_type}-{a.pattern}-{a.resource_name}".lower()
            self.acls.append(
                kafka.Acl(
                    name,
                    acl_principal=a.principal,
                    acl_host=a.host,
                    acl_operation=a.operation,
                    acl_permission_type=a.permission,
                    acl_resource_name=a.resource_name,
                    acl_resource_type=a.resource_type,
                    resource_pattern_type_filter=a.pattern,
                    opts=child,
                )
            )
        outputs: dict = {"kafkaUser": app.kafka_user}
        if seed is not None:
            password = pulumi.Output.secret(seed.apply(lambda s: scram_password(s, app.kafka_user)))
            self.credential = kafka.UserScramCredential(
                f"{app.kafka_user}-scram",
                username=app.kafka_user,
                scram_mechanism=SCRAM_MECHANISM,
                password=password,
                opts=pulumi.ResourceOptions(parent=self, provider=provider, depends_on=[]),
            )
            outputs["password"] = password
        if role is not None:
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


def kafka_provider(state: DesiredState, stack: StackConfig, config: pulumi.Config) -> kafka.Provider:
    c = state.connection
    args = dict(bootstrap_servers=list(c.bootstrap_servers), tls_enabled=c.tls, sasl_mechanism=c.provider_mechanism, timeout=120)
    if c.iam:
        args["sasl_aws_region"] = c.region
    else:
        args["sasl_username"] = config.get("kafkaAdminUser") or os.environ.get("KAFKA_ADMIN_USERNAME") or "admin"
        secret = config.get_secret("kafkaAdminPassword")
        env_pw = os.environ.get("KAFKA_ADMIN_PASSWORD")
        if secret is None and not env_pw:
            raise DeployRefused(f"{stack.file}: no Kafka admin password: set it with `pulumi config set --secret eventbus:kafkaAdminPassword ...`")
        args["sasl_password"] = secret if secret is not None else pulumi.Output.secret(env_pw)
    return kafka.Provider("cluster", **args)


def publish(state: DesiredState, stack: StackConfig, site_dir: str | None) -> list:
    """Upload the catalog folder the caller built for this stack to its private bucket (cloud
    stacks). A folder target is written by whoever built it (``eventbus catalog build``)."""
    from eventbus.adapters.pulumi_program.catalog import publish_catalog

    if state.catalog is None or state.catalog.target != "s3":
        return []
    if not site_dir:
        if pulumi.runtime.is_dry_run():
            return []
        raise DeployRefused(f"stack {stack.name} publishes its catalog: build it first (eventbus catalog build --stack {stack.name} --out DIR) and set EVENTBUS_CATALOG_DIR=DIR")
    return publish_catalog(state, stack, site_dir)


def build(state: DesiredState, stack: StackConfig, config: pulumi.Config, catalog_dir: str | None = None) -> dict:
    """Declare every resource of ``state``. Returns the components (for tests)."""
    if state.skipped:
        pulumi.log.info(f"stack {stack.name} leaves out: " + "; ".join(state.skipped))
    provider = kafka_provider(state, stack, config)
    registry = registry_target(stack)
    subjects_by_event: dict[str, list] = {}
    for s in state.subjects:
        subjects_by_event.setdefault(s.event, []).append(s)
    events = {t.event: EventComponent(t, subjects_by_event.get(t.event, []), registry, provider) for t in state.topics}
    seed = None
    if state.scram_users:
        seed = config.get_secret("scramSeed")
        if seed is None:
            env_seed = os.environ.get("EVENTBUS_SCRAM_SEED")
            if not env_seed:
                raise DeployRefused(f"{stack.file}: no SCRAM seed: set it with `pulumi config set --secret eventbus:scramSeed <random>`")
            seed = pulumi.Output.secret(env_seed)
    topic_resource = {t.name: events[t.event].topic for t in state.topics}
    apps = {}
    for app in state.apps:
        deps = sorted({*app.produces, *app.consumes})
        apps[app.ref] = ApplicationComponent(app, state.acls_by_app.get(app.ref, ()), state.roles_by_app.get(app.ref), stack, provider, seed,
                                             pulumi.ResourceOptions(depends_on=[topic_resource[t] for t in deps]))
    pulumi.export("stack", {"environment": stack.environment, "target": stack.target, "bootstrapServers": list(stack.cluster.bootstrap_servers)})
    pulumi.export("topics", sorted(t.name for t in state.topics))
    pulumi.export("applications", {ref: c.outputs for ref, c in apps.items()})
    if state.catalog is not None:
        pulumi.export("catalog", {"target": state.catalog.target, "location": state.catalog.location})
    return {"events": events, "apps": apps, "provider": provider, "registry": registry, "catalog": publish(state, stack, catalog_dir)}
