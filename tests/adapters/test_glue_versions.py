"""Glue schema versions registered in order, exactly once, against moto running as a real HTTP server."""
from __future__ import annotations

import json
import socket

import boto3
import pytest

from eventbus.adapters.pulumi_program.glue_versions import sync_versions

moto_server = pytest.importorskip("moto.server")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def glue():
    port = _free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    client = boto3.client("glue", region_name="us-gov-west-1", endpoint_url=f"http://127.0.0.1:{port}",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    yield client
    server.stop()


def schema(n: int) -> str:
    fields = [{"name": "id", "type": "long", "doc": "Id."}] + [
        {"name": f"f{i}", "type": ["null", "string"], "default": None, "doc": "Added."} for i in range(2, n + 1)]
    return json.dumps({"type": "record", "name": "E", "namespace": "gov.va.t", "doc": "E.", "fields": fields})


def test_versions_registered_in_order_and_once(glue):
    glue.create_registry(RegistryName="eeb-test")
    arn = glue.create_schema(RegistryId={"RegistryName": "eeb-test"}, SchemaName="t_e-value", DataFormat="AVRO",
                             Compatibility="BACKWARD", SchemaDefinition=schema(1))["SchemaArn"]
    assert sync_versions(glue, arn, [schema(2), schema(3)]) == [2, 3]
    # a second deploy registers nothing new
    assert sync_versions(glue, arn, [schema(2), schema(3)]) == [2, 3]
    # the next merge adds v4 only
    assert sync_versions(glue, arn, [schema(2), schema(3), schema(4)]) == [2, 3, 4]
    latest = glue.get_schema_version(SchemaId={"SchemaArn": arn}, SchemaVersionNumber={"LatestVersion": True})
    assert latest["VersionNumber"] == 4 and json.loads(latest["SchemaDefinition"]) == json.loads(schema(4))
    first = glue.get_schema_version(SchemaId={"SchemaArn": arn}, SchemaVersionNumber={"VersionNumber": 1})
    assert json.loads(first["SchemaDefinition"]) == json.loads(schema(1))
