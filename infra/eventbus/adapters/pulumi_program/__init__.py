"""The Pulumi program: materialise one stack's desired state.

Thin by design: every name, config and grant comes from :func:`eventbus.desired.compute`
(the entry point, :mod:`eventbus.deploy`, runs the gate first); this module only maps those
specs to resources, grouped into one component per event and one per application
(:mod:`.components`), and uploads a catalog folder it is given (:mod:`.catalog`).

ACLs, SCRAM users and Confluent registry subjects go through our own provider
(:mod:`eventbus.adapters.pulumi_program.provider`, source ``go/eventbus``):
one resource per application instead of one bridged resource per binding.

Given a :class:`~eventbus.adapters.pulumi_program.scope.Scope` (a partial deploy), the program
declares only the scope's components, built exactly as in a full deploy; the stack outputs stay
complete (they come from the desired state, and the last deploy's schema ids for the subjects
not declared).
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import pulumi
import pulumi_kafka as kafka

from eventbus.adapters.pulumi_program import sdk_speed
from eventbus.adapters.pulumi_program.catalog import CatalogSite
from eventbus.adapters.pulumi_program.components import Application, Event, EventArgs, application, scram_output
from eventbus.adapters.pulumi_program.provider import eventbus_provider
from eventbus.adapters.pulumi_program.registry import RegistryTarget, registry_target
from eventbus.adapters.pulumi_program.scope import Scope
from eventbus.desired import DesiredState
from eventbus.model.stack import StackConfig


class DeployRefused(Exception):
    """Something the deploy needs is missing or wrong: nothing is deployed."""


def local_override(stack: StackConfig, name: str) -> str | None:
    """On the local target only: where scripts/up.sh started the broker and the registry
    (EVENTBUS_LOCAL_BOOTSTRAP, EVENTBUS_LOCAL_SCHEMA_REGISTRY_URL), when not on the default ports."""
    return os.environ.get(name) or None if stack.target == "local" else None


def cluster_access(state: DesiredState, stack: StackConfig, config: pulumi.Config) -> dict:
    """How the deploy reaches the cluster: bootstrap, TLS, SASL mechanism and admin credentials
    (from the stack's secret config, else KAFKA_ADMIN_USERNAME / KAFKA_ADMIN_PASSWORD)."""
    c = state.connection
    override = local_override(stack, "EVENTBUS_LOCAL_BOOTSTRAP")
    access: dict = {"bootstrap_servers": [override] if override else list(c.bootstrap_servers), "tls": c.tls,
                    "sasl_mechanism": c.provider_mechanism}
    if c.iam:
        access["aws_region"] = c.region
    else:
        access["username"] = config.get("kafkaAdminUser") or os.environ.get("KAFKA_ADMIN_USERNAME") or "admin"
        secret = config.get_secret("kafkaAdminPassword")
        env_pw = os.environ.get("KAFKA_ADMIN_PASSWORD")
        if secret is None and not env_pw:
            raise DeployRefused(f"{stack.file}: no Kafka admin password: set it with `pulumi config set --secret eventbus:kafkaAdminPassword ...`")
        access["password"] = secret if secret is not None else pulumi.Output.secret(env_pw)
    return access


def live_topics(access: dict) -> set[str]:
    """The topics on the cluster, when EVENTBUS_ADOPT_TOPICS=1 (scripts/up.sh, which deploys with
    PULUMI_SKIP_CHECKPOINTS: a killed deploy saves no state, and its topics are adopted next time).
    SASL targets with the admin password in KAFKA_ADMIN_PASSWORD only; otherwise nothing is adopted."""
    if os.environ.get("EVENTBUS_ADOPT_TOPICS") != "1" or "aws_region" in access or not os.environ.get("KAFKA_ADMIN_PASSWORD"):
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


def publish(state: DesiredState, stack: StackConfig, site_dir: str | None, keys: frozenset[str] | None = None) -> CatalogSite | None:
    """Upload the catalog folder the caller built for this stack to its private bucket (cloud
    stacks; only the objects ``keys`` when given). A folder target is written by whoever built it
    (``eventbus catalog build``)."""
    from eventbus.adapters.pulumi_program.catalog import publish_catalog

    if state.catalog is None or state.catalog.target != "s3":
        return None
    if not site_dir:
        if pulumi.runtime.is_dry_run():
            return None
        raise DeployRefused(f"stack {stack.name} publishes its catalog: build it first (eventbus catalog build --stack {stack.name} --out DIR) and set EVENTBUS_CATALOG_DIR=DIR")
    return publish_catalog(state, stack, site_dir, keys)


def application_outputs(state: DesiredState, seed: pulumi.Output | None, components: dict[str, Application]) -> dict:
    """The ``applications`` stack output, for every application of the state: its Kafka user, its
    SCRAM password (stacks that manage SCRAM users, unless the application keeps its own adopted
    credential) and its role's ARN (IAM stacks)."""
    out = {}
    for app in state.apps:
        declared = components.get(app.ref)
        entry: dict = {"kafkaUser": app.kafka_user}
        if seed is not None and not app.keep_credential:
            entry["password"] = declared.password if declared is not None else scram_output(seed, app.kafka_user)
        if app.ref in state.roles_by_app:
            entry["roleArn"] = declared.role_arn if declared is not None else state.role_arn(app.ref)
        out[app.ref] = entry
    return out


@dataclass
class Declared:
    """What one run of the program declared."""

    events: dict[str, Event]  # event ref -> its component
    apps: dict[str, Application]  # application ref -> its component
    provider: kafka.Provider
    bus: pulumi.ProviderResource
    registry: RegistryTarget
    catalog: CatalogSite | None
    outputs: dict  # the stack outputs


def build(state: DesiredState, stack: StackConfig, config: pulumi.Config, catalog_dir: str | None = None, scope: Scope | None = None) -> Declared:
    """Declare every resource of ``state`` (only the components of ``scope`` when given)."""
    if state.skipped:
        pulumi.log.info(f"stack {stack.name} leaves out: " + "; ".join(state.skipped))
    sdk_speed.apply()
    access = cluster_access(state, stack, config)
    provider = kafka_provider(access)
    bus = bus_provider(stack, config, access)
    registry = registry_target(stack, bus)
    topics = state.topics if scope is None else tuple(t for t in state.topics if t.event in scope.events)
    live = live_topics(access)
    events = {t.event: Event(t.event, EventArgs.of(state, t, provider, registry, live)) for t in topics}
    seed = None
    if state.scram_users:
        seed = config.get_secret("scramSeed")
        if seed is None:
            env_seed = os.environ.get("EVENTBUS_SCRAM_SEED")
            if not env_seed:
                raise DeployRefused(f"{stack.file}: no SCRAM seed: set it with `pulumi config set --secret eventbus:scramSeed <random>`")
            seed = pulumi.Output.secret(env_seed)
    topic_resource = {t.name: events[t.event].topic for t in topics}
    apps = {}
    for app in state.apps if scope is None else (a for a in state.apps if a.ref in scope.apps):
        deps = sorted({*app.produces, *app.consumes})
        apps[app.ref] = application(state, app, stack, bus, seed, pulumi.ResourceOptions(depends_on=[topic_resource[t] for t in deps]))
    outputs: dict = {
        "stack": {"environment": stack.environment, "target": stack.target, "bootstrapServers": access["bootstrap_servers"]},
        "topics": sorted(t.name for t in state.topics),
        "applications": application_outputs(state, seed, apps),
    }
    if state.catalog is not None:
        outputs["catalog"] = {"target": state.catalog.target, "location": state.catalog.location}
    # the registry's schema id of every version, per subject (Confluent targets); a partial deploy
    # keeps the last deploy's ids of the subjects it does not declare
    ids = {name: i for e in events.values() for name, i in e.schema_ids.items()}
    if scope is not None and registry.kind == "confluent":
        ids = {**{s.name: scope.subjects[s.name] for s in state.subjects if s.name in scope.subjects}, **ids}
    if ids:
        outputs["subjects"] = dict(sorted(ids.items()))
    for name, value in outputs.items():
        pulumi.export(name, value)
    catalog = publish(state, stack, catalog_dir, None if scope is None else scope.catalog_keys)
    return Declared(events, apps, provider, bus, registry, catalog, outputs)
