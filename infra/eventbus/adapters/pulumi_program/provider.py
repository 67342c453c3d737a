"""The resources of our own provider plugin, ``pulumi-resource-eventbus`` (source: ``go/eventbus``),
declared as plain custom resources (no generated SDK).

* ``eventbus:kafka:Principal`` — every ACL binding of one principal (one CreateAcls batch per
  application instead of one Terraform resource per binding) and, on SCRAM stacks, its credential.
* ``eventbus:registry:Subject`` — one Confluent Schema Registry subject: compatibility level and
  every version in order, each once; outputs the registry's schema id per version.

The plugin is built by ``scripts/pulumi-engine.sh`` and installed at :data:`PROVIDER_VERSION`
(the script's ``EVENTBUS_PROVIDER_VERSION``; a test keeps the two equal).
"""
from __future__ import annotations

from typing import Any

import pulumi

PROVIDER_VERSION = "0.1.0"

PRINCIPAL = "eventbus:kafka:Principal"
SUBJECT = "eventbus:registry:Subject"


def eventbus_provider(name: str, config: dict[str, Any], opts: pulumi.ResourceOptions | None = None) -> pulumi.ProviderResource:
    """An explicit provider instance. ``config`` keys: bootstrapServers, tls, saslMechanism,
    saslUsername, saslPassword, awsRegion, registryUrl, registryUsername, registryPassword."""
    opts = pulumi.ResourceOptions.merge(pulumi.ResourceOptions(version=PROVIDER_VERSION), opts)
    return pulumi.ProviderResource("eventbus", name, {k: v for k, v in config.items() if v is not None}, opts)


class Principal(pulumi.CustomResource):
    """All ACL bindings of one Kafka principal, and optionally its SCRAM credential."""

    principal: pulumi.Output[str]
    acls: pulumi.Output[list]

    def __init__(self, name: str, principal: str, acls: list[dict], scram: dict | None = None, opts: pulumi.ResourceOptions | None = None,
                 keep_scram: bool = False):
        """``keep_scram``: the live credential is the application's own (kept by the adoption record);
        without ``scram`` the provider leaves it as it is instead of deleting it."""
        props: dict[str, Any] = {"principal": principal, "acls": acls}
        if scram is not None:
            props["scram"] = scram
        if keep_scram:
            props["keepScram"] = True
        opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(additional_secret_outputs=["scram"])) if scram else opts
        super().__init__(PRINCIPAL, name, props, opts)


class Subject(pulumi.CustomResource):
    """One schema-registry subject; ``registered`` lists ``{version, id}`` (the registry's schema id) per version."""

    subject: pulumi.Output[str]
    registered: pulumi.Output[list]

    def __init__(self, name: str, subject: str, compatibility: str, versions: list[tuple[int, str]], opts: pulumi.ResourceOptions | None = None):
        props = {
            "subject": subject,
            "schemaType": "AVRO",
            "compatibility": compatibility,
            "versions": [{"version": v, "schema": text} for v, text in versions],
            "registered": None,
        }
        super().__init__(SUBJECT, name, props, opts)
