"""`scripts/pulumi-engine.sh verify`, step 2: both provider plugins against a real broker.

A kafka.Topic through an explicit kafka.Provider, and an eventbus:kafka:Principal (ACL bindings and a
SCRAM credential) through an explicit eventbus provider, declared without a generated SDK.
"""
import pulumi
import pulumi_kafka as kafka

cfg = pulumi.Config()
provider = kafka.Provider(
    "local",
    bootstrap_servers=[cfg.require("bootstrap")],
    tls_enabled=False,
    sasl_username=cfg.require("username"),
    sasl_password=cfg.require_secret("password"),
    sasl_mechanism="scram-sha512",
)
topic = kafka.Topic(
    "smoke",
    name="engine.smoke",
    partitions=cfg.get_int("partitions") or 2,
    replication_factor=1,
    config={"cleanup.policy": "delete", "retention.ms": "3600000"},
    opts=pulumi.ResourceOptions(provider=provider),
)
eventbus = pulumi.ProviderResource(
    "eventbus",
    "local",
    {"bootstrapServers": [cfg.require("bootstrap")], "saslMechanism": "scram-sha512",
     "saslUsername": cfg.require("username"), "saslPassword": cfg.require_secret("password")},
    pulumi.ResourceOptions(version=cfg.require("eventbusVersion")),
)
principal = pulumi.CustomResource(
    "eventbus:kafka:Principal",
    "smoke-app",
    {
        "principal": "User:smoke.app",
        "acls": [{"resourceType": "Topic", "resourceName": topic.name, "operation": op} for op in ("Read", "Describe")],
        "scram": {"password": pulumi.Output.secret("smoke-password")},
    },
    pulumi.ResourceOptions(provider=eventbus),
)
pulumi.export("topic", topic.name)
pulumi.export("principal", principal.id)
