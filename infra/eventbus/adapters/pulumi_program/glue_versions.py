"""Register schema versions in Glue in order, exactly once (a Pulumi dynamic resource over boto3).

``aws.glue.Schema`` holds one definition; the registry needs every version in
order so that schema ids of older producers stay valid. This resource calls
the Glue API directly: for each definition, oldest first, it looks the
definition up and registers it only if absent. Deleting it never deletes
versions (they are history).
"""
from __future__ import annotations

import time
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, Resource, ResourceProvider, UpdateResult


def glue_client(region: str | None):
    import os

    import boto3

    return boto3.client("glue", region_name=region, endpoint_url=os.environ.get("EVENTBUS_GLUE_ENDPOINT") or None)


def sync_versions(client, schema_arn: str, definitions: list[str], wait_seconds: float = 60) -> list[int]:
    """Register each missing definition in order. Returns the version numbers, one per definition."""
    numbers = []
    for text in definitions:
        try:
            found = client.get_schema_by_definition(SchemaId={"SchemaArn": schema_arn}, SchemaDefinition=text)
            version_id = found["SchemaVersionId"]
        except client.exceptions.EntityNotFoundException:
            got = client.register_schema_version(SchemaId={"SchemaArn": schema_arn}, SchemaDefinition=text)
            version_id = got["SchemaVersionId"]
            deadline = time.monotonic() + wait_seconds
            while got.get("Status") == "PENDING" and time.monotonic() < deadline:
                time.sleep(1)
                got = client.get_schema_version(SchemaVersionId=version_id)
            if got.get("Status") == "FAILURE":
                raise RuntimeError(f"Glue refused a schema version for {schema_arn} (incompatible under the registry's mode?)") from None
        numbers.append(client.get_schema_version(SchemaVersionId=version_id)["VersionNumber"])
    return numbers


class _Provider(ResourceProvider):
    def create(self, props: dict[str, Any]) -> CreateResult:
        numbers = sync_versions(glue_client(props.get("region")), props["schema_arn"], props["definitions"])
        return CreateResult(id_=props["schema_arn"], outs={**props, "version_numbers": numbers})

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = olds.get("definitions") != news.get("definitions") or olds.get("schema_arn") != news.get("schema_arn")
        return DiffResult(changes=changed, replaces=["schema_arn"] if olds.get("schema_arn") != news.get("schema_arn") else [])

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        numbers = sync_versions(glue_client(news.get("region")), news["schema_arn"], news["definitions"])
        return UpdateResult(outs={**news, "version_numbers": numbers})

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        return None  # versions are history: never deleted from here


class GlueSchemaVersions(Resource):
    version_numbers: pulumi.Output[list]

    def __init__(self, name: str, schema_arn: pulumi.Input[str], region: str | None, definitions: list[str], opts: pulumi.ResourceOptions | None = None):
        super().__init__(_Provider(), name, {"schema_arn": schema_arn, "region": region, "definitions": definitions, "version_numbers": None}, opts)
