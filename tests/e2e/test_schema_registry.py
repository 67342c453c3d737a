"""The schema registry for real: the deploy registers every subject in a real registry (Apicurio's
Confluent API), and producers and consumers use Confluent's own serializers against it, as every
client of the bus does. One scenario, in order."""
from __future__ import annotations

import json

import pytest
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

from eventbus.adapters.schema_registry import RegistryError, SchemaRegistry
from tests.e2e.test_local_deploy import CONSUMER, CONSUMER_GROUP, PRODUCER, REFILL, REFILL_TOPIC, consume, desired, plain, produce

pytestmark = pytest.mark.e2e

VALUE = f"{REFILL_TOPIC}-value"
# a producer of this bus: never registers, serializes with the latest registered version
PRODUCER_CONF = {"auto.register.schemas": False, "use.latest.version": True, "subject.name.strategy.type": "TOPIC"}


def registry(ws) -> SchemaRegistry:
    return SchemaRegistry(ws.registry["url"])


def serde(ws):
    return SchemaRegistryClient({"url": ws.registry["url"], "timeout": 10})


def examples(ws) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted((ws.root / REFILL / "examples").glob("*.json"))]


def serialize(ws, record: dict, conf=PRODUCER_CONF, schema_str: str | None = None) -> bytes:
    ser = AvroSerializer(serde(ws), schema_str, conf=conf)
    return ser(record, SerializationContext(REFILL_TOPIC, MessageField.VALUE))


def read_all(ws, n: int, timeout: float = 30) -> list[bytes]:
    """Everything on the topic from the start, as the subscribed consumer (offsets not committed)."""
    return consume(ws, CONSUMER, CONSUMER_GROUP, REFILL_TOPIC, n, timeout, commit=False)


def decode(ws, raw: bytes) -> dict:
    return AvroDeserializer(serde(ws), conf={"subject.name.strategy.type": "TOPIC"})(raw, SerializationContext(REFILL_TOPIC, MessageField.VALUE))


def schema_id(raw: bytes) -> int:
    assert raw[0] == 0, "Confluent wire format: magic byte 0"
    return int.from_bytes(raw[1:5], "big")


def test_01_deploy_registers_every_subject_in_order_with_the_events_mode(workspace):
    ws = workspace
    ws.up()
    reg = registry(ws)
    state = desired(ws)
    assert state.subjects and reg.global_compatibility() == "BACKWARD"  # set by scripts/schema-registry.sh
    assert set(reg.subjects()) == {s.name for s in state.subjects}
    outputs = json.loads(ws.pulumi("stack", "output", "subjects", "--json").stdout)
    for spec in state.subjects:
        live = reg.versions(spec.name)
        assert [v.schema for v in live] and len(live) == len(spec.versions), spec.name  # each version once
        for (_number, text), v in zip(spec.versions, live, strict=True):
            assert reg.lookup(spec.name, text).id == v.id  # in order: v1 is the subject's version 1, ...
        assert reg.compatibility(spec.name) == spec.compatibility  # the event's mode
        assert [r["id"] for r in outputs[spec.name]] == [v.id for v in live]  # the ids the deploy exports
    assert reg.compatibility(VALUE) == "BACKWARD_TRANSITIVE"
    # a second deploy (with refresh) changes nothing: no permanent diff from the registry
    assert ws.pulumi("preview", "--refresh", "--expect-no-changes", check=False).returncode == 0


def test_02_producer_serializes_through_the_registry_and_the_consumer_decodes(workspace):
    ws = workspace
    latest = registry(ws).latest(VALUE)
    records = examples(ws)
    values = [serialize(ws, r) for r in records]
    assert {schema_id(v) for v in values} == {latest.id}  # the pinned latest version, not a new registration
    produce(ws, PRODUCER, REFILL_TOPIC, values)
    got = read_all(ws, len(records))
    assert [plain(decode(ws, raw)) for raw in got] == records
    assert registry(ws).version_numbers(VALUE) == [1, 2]  # the producer registered nothing


def test_03_a_schema_that_is_not_registered_is_refused_by_the_serializer(workspace):
    ws = workspace
    v2 = json.loads((ws.root / REFILL / "v2.avsc").read_text())
    rogue = {**v2, "fields": v2["fields"] + [{"name": "rogue", "type": "string", "default": "", "doc": "Not in the registry."}]}
    record = {**examples(ws)[0], "rogue": "x"}
    with pytest.raises(Exception) as exc:
        serialize(ws, record, conf={"auto.register.schemas": False}, schema_str=json.dumps(rogue))
    assert "40403" in str(exc.value) or "not" in str(exc.value).lower(), exc.value
    assert registry(ws).version_numbers(VALUE) == [1, 2]


def test_04_the_registry_refuses_an_incompatible_registration(workspace):
    ws = workspace
    reg = registry(ws)
    v2 = json.loads((ws.root / REFILL / "v2.avsc").read_text())
    # a required field without a default breaks BACKWARD_TRANSITIVE: new readers cannot read old records
    broken = {**v2, "fields": v2["fields"] + [{"name": "pharmacistId", "type": "string", "doc": "No default."}]}
    assert reg.is_compatible(VALUE, json.dumps(broken)) is False
    with pytest.raises(RegistryError) as exc:
        reg.register(VALUE, json.dumps(broken))
    assert exc.value.status == 409
    assert reg.version_numbers(VALUE) == [1, 2]


def test_05_a_new_version_merged_and_deployed_becomes_latest_and_old_records_still_decode(workspace):
    ws = workspace
    reg = registry(ws)
    old = reg.latest(VALUE)
    v2 = json.loads((ws.root / REFILL / "v2.avsc").read_text())
    v3 = {**v2, "doc": v2["doc"] + " v3 adds the pickup window.",
          "fields": v2["fields"] + [{"name": "pickupWindowDays", "type": ["null", "int"], "default": None, "doc": "Days the refill is held for pickup."}]}
    (ws.root / REFILL / "v3.avsc").write_text(json.dumps(v3, indent=2))
    gate = ws.eventbus("validate")
    assert gate.returncode == 0, gate.stdout
    ws.up()
    new = reg.latest(VALUE)
    assert new.version == 3 and new.id != old.id and json.loads(new.schema)["fields"][-1]["name"] == "pickupWindowDays"
    outputs = json.loads(ws.pulumi("stack", "output", "subjects", "--json").stdout)
    assert outputs[VALUE][-1] == {"version": 3, "id": new.id}
    record = {**examples(ws)[0], "pickupWindowDays": 10}
    value = serialize(ws, record)
    assert schema_id(value) == new.id
    produce(ws, PRODUCER, REFILL_TOPIC, [value])
    got = read_all(ws, len(examples(ws)) + 1)
    assert [schema_id(raw) for raw in got] == [old.id] * len(examples(ws)) + [new.id]
    decoded = [plain(decode(ws, raw)) for raw in got]  # each with its writer's schema, found by id
    assert decoded[:-1] == examples(ws) and decoded[-1]["pickupWindowDays"] == 10


def test_06_a_registration_the_registry_refuses_fails_the_deploy_clearly(workspace):
    ws = workspace
    reg = registry(ws)
    folder = "events/benefits/dependent_updated"
    subject = "benefits_dependent_updated-value"
    v1 = json.loads((ws.root / folder / "v1.avsc").read_text())
    assert reg.version_numbers(subject) == [1]
    # someone registered a version behind the program's back ...
    side = {**v1, "fields": v1["fields"] + [{"name": "relationship", "type": "string", "default": "", "doc": "Registered out of band."}]}
    reg.register(subject, json.dumps(side))
    # ... so the merged v2, compatible with v1 (the gate passes), is incompatible with the registry's latest
    v2 = {**v1, "fields": v1["fields"] + [{"name": "relationship", "type": "int", "default": 0, "doc": "Relationship code."}]}
    (ws.root / folder / "v2.avsc").write_text(json.dumps(v2, indent=2))
    assert ws.eventbus("validate").returncode == 0
    out = ws.up(check=False)
    assert out.returncode != 0
    text = out.stdout + out.stderr
    assert f"the schema registry refused version 2 of subject {subject}" in text, text[-3000:]
    assert "incompatible" in text
    assert reg.version_numbers(subject) == [1, 2]  # nothing registered by the failed deploy
    assert reg.lookup(subject, json.dumps(v2)) is None


def test_07_the_database_password_is_not_on_the_registry_command_line(workspace):
    """Every user of the machine can read a process's command line (/proc/<pid>/cmdline), only its own user its
    environment: the H2 password travels in the environment, and it is the one the data file was made with."""
    import os
    from pathlib import Path

    state = Path(workspace.registry["state"]) / "schema-registry"
    pid = int((state / "registry.pid").read_text().split()[0])
    password = (state / "db.password").read_text().strip()
    assert len(password) >= 16
    args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    assert b"quarkus-run.jar" in args
    assert not any(password.encode() in a or b"datasource.password" in a for a in args)
    assert f"APICURIO_DATASOURCE_PASSWORD={password}".encode() in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    assert oct(os.stat(state / "db.password").st_mode & 0o777) == "0o600"
