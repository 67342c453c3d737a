"""AsyncAPI 3.0 documents, validated against the official JSON Schema of the `@asyncapi/specs` npm package."""
from __future__ import annotations

import json

import jsonschema
import pytest

from eventbus.desired import compute
from eventbus.load.registry import load_registry
from eventbus.load.stacks import load_stack
from tests.catalog.conftest import NODE_MODULES, require_tool, sample_catalog
from tests.conftest import REPO

SPEC = NODE_MODULES / "@asyncapi/specs/schemas/3.0.0.json"


@pytest.fixture(scope="module")
def validator():
    require_tool(SPEC, "the AsyncAPI 3.0 JSON Schema", "run `npm ci` at the repository root (package.json lists @asyncapi/specs)")
    schema = json.loads(SPEC.read_text())
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def documents(site):
    yield site / "asyncapi/eventbus.json"
    yield from sorted((site / "asyncapi/events").rglob("*.json"))


def test_every_document_is_valid_asyncapi_3(sample_site, validator):
    docs = list(documents(sample_site))
    assert len(docs) == 1 + len(load_registry(str(REPO)).registry.events)
    for path in docs:
        doc = json.loads(path.read_text())
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
        assert not errors, (path.name, [f"{list(e.absolute_path)}: {e.message[:200]}" for e in errors[:5]])


def test_the_validator_is_not_a_rubber_stamp(sample_site, validator):
    doc = json.loads((sample_site / "asyncapi/events/claims/contention_created.json").read_text())
    channel = next(iter(doc["channels"].values()))
    channel["bindings"]["kafka"]["partitions"] = 0
    assert list(validator.iter_errors(doc))
    doc = json.loads((sample_site / "asyncapi/events/claims/contention_created.json").read_text())
    doc["asyncapi"] = "3.0.1"
    assert list(validator.iter_errors(doc))


def test_kafka_bindings_and_avro_payloads(sample_site):
    doc = json.loads((sample_site / "asyncapi/events/claims/contention_created.json").read_text())
    state = compute(load_registry(str(REPO)).registry, load_stack(str(REPO), "prod"))
    topic = state.topics_by_name["claims_contention_created"]
    ch = doc["channels"]["prod.claims_contention_created"]
    k = ch["bindings"]["kafka"]
    assert ch["address"] == k["topic"] == "claims_contention_created"
    assert (k["partitions"], k["replicas"]) == (topic.partitions, topic.replication_factor)
    cfg = topic.config_dict
    assert k["topicConfiguration"] == {"cleanup.policy": cfg["cleanup.policy"].split(","), "retention.ms": int(cfg["retention.ms"]),
                                       "max.message.bytes": int(cfg["max.message.bytes"]), "min.insync.replicas": int(cfg["min.insync.replicas"])}
    assert ch["servers"] == [{"$ref": "#/servers/prod"}]
    assert "sandbox.claims_contention_created_sandbox" not in doc["channels"]  # PII: no sandbox topic
    msg = doc["components"]["messages"]["claims-contention-created"]
    assert msg["payload"]["schemaFormat"] == "application/vnd.apache.avro;version=1.9.0"
    assert msg["payload"]["schema"]["name"] == "ContentionAssociatedToClaim"
    assert {f["name"] for f in msg["payload"]["schema"]["fields"]} >= {"ClaimId", "VeteranParticipantId"}
    assert msg["bindings"]["kafka"]["key"]["type"] == "integer" and msg["bindings"]["kafka"]["key"]["format"] == "int64"
    key_ref = msg["bindings"]["kafka"]["x-key-avro-schema"]["$ref"]
    assert doc["components"]["schemas"][key_ref.rsplit("/", 1)[-1]] == {"schemaFormat": "application/vnd.apache.avro;version=1.9.0",
                                                                          "schema": json.loads((REPO / "events/claims/contention_created/key.avsc").read_text())}
    receives = {k: op for k, op in doc["operations"].items() if op["action"] == "receive" and k.startswith("prod.")}
    readers = [a for a in state.apps if "claims_contention_created" in a.consumes]
    assert len(receives) == len(readers)
    for a in readers:
        op = receives[f"prod.{a.team}.{a.application}.receive.claims_contention_created"]
        assert op["bindings"]["kafka"]["groupId"] == {"type": "string", "enum": [a.group]}
        assert op["x-role-arn"].endswith(f":role/{a.role}") and op["description"]
    sends = [op for op in doc["operations"].values() if op["action"] == "send"]
    assert sends and all(op["channel"]["$ref"].startswith("#/channels/") for op in sends)


def test_bus_document_has_every_topic_of_every_stack(sample_site):
    doc = json.loads((sample_site / "asyncapi/eventbus.json").read_text())
    reg = load_registry(str(REPO)).registry
    expected = set()
    for stack in ("local", "prod", "sandbox"):
        for t in compute(reg, load_stack(str(REPO), stack)).topics:
            expected.add(f"{stack}.{t.name}")
    assert set(doc["channels"]) == expected
    assert set(doc["servers"]) == {"local", "prod", "sandbox"}
    assert doc["servers"]["prod"]["protocol"] == "kafka-secure" and doc["servers"]["local"]["protocol"] == "kafka"
    assert doc["components"]["securitySchemes"]["mskIam"]["x-sts-region"] == "us-gov-west-1"


def test_the_bus_document_put_together_from_event_texts_is_the_whole_document():
    from eventbus.catalog.exporters.asyncapi import _compact, bus_document, bus_json, event_parts, part_texts

    cat = sample_catalog()
    parts = [event_parts(cat, i) for i in cat.events]
    text = bus_json(cat, [part_texts(p) for p in parts])
    assert text == _compact(bus_document(cat))
    assert any(p[1] for p in parts) and any(not p[1] for p in parts)  # events with key schemas and without
    # two events with a member of one name: the document keeps one of them, so the texts cannot be joined
    clash = [part_texts(p) for p in parts]
    clash[1] = (clash[0][0], *clash[1][1:])
    assert bus_json(cat, clash) is None


def test_a_large_catalog_writes_the_joined_bus_document(tree, tmp_path, monkeypatch):
    from eventbus.catalog import build_catalog
    from eventbus.catalog.exporters import asyncapi

    monkeypatch.setattr(asyncapi.AsyncApiExporter, "INDENT_LIMIT", 0)  # compact from the first event on
    joined = []
    real = asyncapi.bus_json
    monkeypatch.setattr(asyncapi, "bus_json", lambda cat, texts: joined.append(1) or real(cat, texts))
    out = tmp_path / "site"
    build_catalog(str(tree.root), str(out))
    assert joined
    doc = json.loads((out / "asyncapi/eventbus.json").read_text())
    assert len(doc["channels"]) >= 3 and len(doc["components"]["messages"]) >= 2


def test_each_event_document_put_together_from_its_texts_is_the_whole_document():
    from eventbus.catalog.exporters.asyncapi import _compact, event_document, event_json, event_parts, part_texts

    cat = sample_catalog()
    for info in cat.events:
        parts = event_parts(cat, info)
        assert event_json(cat, info, part_texts(parts)) == _compact(event_document(cat, info, parts)), info.ref
