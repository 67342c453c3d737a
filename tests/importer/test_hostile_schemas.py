"""Schemas the registry holds that are JSON but cannot be written or fingerprinted as they are:
written as found (escaped), reported, not adopted; never an internal error."""
from __future__ import annotations

from eventbus.adapters.kafka_admin import Inventory
from eventbus.importer.choices import Choices
from eventbus.importer.snapshot import Snapshot, SubjectFound
from tests.importer.test_draft import draft, local_tree, topic


def _draft(text: str):
    snap = Snapshot(Inventory(topics={"orders_placed": topic("orders_placed")}), registry_read=True)
    snap.subjects = {"orders_placed-value": SubjectFound("orders_placed-value", "BACKWARD", ((1, 4, text),))}
    return draft(local_tree(), snap, Choices())


def test_a_lone_surrogate_is_written_escaped_and_not_adopted():
    # was: internal error: UnicodeEncodeError ... surrogates not allowed (fingerprint, then the file)
    d = _draft('{"type": "string", "doc": "\\ud800"}')
    body = d.files["events/orders/placed/v1.avsc"]
    body.encode("utf-8")
    assert "\\ud800" in body and "orders_placed-value" not in d.record["subjects"]
    assert any("orders_placed-value: version 1 (schema id 4) is not JSON" in s for s in d.report.differs)


def test_a_schema_nested_too_deep_to_parse_is_not_adopted():
    # was: internal error: RecursionError: maximum recursion depth exceeded while decoding a JSON array
    text = "[" * 100_000 + "]" * 100_000
    d = _draft(text)
    assert d.files["events/orders/placed/v1.avsc"] == text + "\n" and "orders_placed-value" not in d.record["subjects"]
