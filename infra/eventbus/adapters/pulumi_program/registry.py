"""Schema-registry targets behind one small interface, chosen per stack (``eventbus:schemaRegistry.kind``).

A target turns a :class:`SubjectSpec` (``<topic>-value`` / ``<topic>-key``, its
compatibility and every version in order) into resources:

* ``confluent`` — a Confluent-compatible Schema Registry (the agency's; Apicurio's ccompat API on
  the local stack): one ``eventbus:registry:Subject`` per subject, through our provider;
* ``glue`` — AWS Glue Schema Registry;
* ``none`` — schemas live in the tree and the catalog only.

Subjects are never deleted by a deploy: retained on delete everywhere, protected where the stack
protects (and the Subject provider's delete keeps the subject in any case).
"""
from __future__ import annotations

from typing import Protocol

import pulumi

from eventbus.desired import SubjectSpec
from eventbus.model.stack import StackConfig


class RegistryTarget(Protocol):
    kind: str

    def subject(self, spec: SubjectSpec, parent: pulumi.Resource) -> pulumi.Resource | None: ...


class NoRegistry:
    """Stacks without a registry (the local broker): schemas live in the tree and the catalog only."""

    kind = "none"

    def subject(self, spec: SubjectSpec, parent: pulumi.Resource) -> None:
        return None


class ConfluentRegistry:
    """Confluent Schema Registry REST API: the subject's level set to the event's mode, then every
    version registered in order, each once; the registry's own compatibility check refuses what
    the gate let through, and the deploy fails naming the subject and version."""

    kind = "confluent"

    def __init__(self, stack: StackConfig, provider: pulumi.ProviderResource):
        self.stack, self.provider = stack, provider

    def subject(self, spec: SubjectSpec, parent: pulumi.Resource) -> pulumi.Resource:
        from eventbus.adapters.pulumi_program.provider import Subject

        opts = pulumi.ResourceOptions(parent=parent, provider=self.provider, protect=spec.protect, retain_on_delete=True, import_=spec.adopt)
        return Subject(spec.name, spec.name, spec.compatibility, list(spec.versions), opts)


class GlueRegistry:
    """AWS Glue Schema Registry: one ``aws.glue.Schema`` per subject, created with v1; later
    versions are registered in order by :class:`GlueSchemaVersions`, each exactly once."""

    kind = "glue"

    def __init__(self, stack: StackConfig):
        import pulumi_aws as aws

        self.stack = stack
        self.registry = aws.glue.Registry(
            "schema-registry",
            registry_name=stack.registry_name or f"eeb-{stack.name}",
            description=f"Event bus schemas ({stack.environment}); managed by the registry repository",
            opts=pulumi.ResourceOptions(protect=stack.protect, retain_on_delete=stack.protect),
        )

    def subject(self, spec: SubjectSpec, parent: pulumi.Resource) -> pulumi.Resource:
        import pulumi_aws as aws

        from eventbus.adapters.pulumi_program.glue_versions import GlueSchemaVersions

        opts = pulumi.ResourceOptions(parent=parent, protect=spec.protect, retain_on_delete=spec.protect)
        schema = aws.glue.Schema(
            spec.name,
            schema_name=spec.name,
            registry_arn=self.registry.arn,
            data_format="AVRO",
            compatibility=spec.glue_compatibility,
            schema_definition=spec.versions[0][1],
            description=f"{spec.kind} schema of {spec.event}",
            opts=opts,
        )
        if len(spec.versions) > 1:
            GlueSchemaVersions(
                f"{spec.name}-versions",
                schema_arn=schema.arn,
                region=self.stack.region,
                definitions=[text for _v, text in spec.versions[1:]],
                opts=pulumi.ResourceOptions(parent=schema),
            )
        return schema


def registry_target(stack: StackConfig, provider: pulumi.ProviderResource | None = None) -> RegistryTarget:
    if stack.registry_kind == "confluent":
        return ConfluentRegistry(stack, provider)
    if stack.registry_kind == "glue":
        return GlueRegistry(stack)
    return NoRegistry()
