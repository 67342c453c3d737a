"""Field facts in the desired state: the classified fields of each topic, the fields each application
declares, who reads a field, and successor links (what the plan and the catalog read)."""
from __future__ import annotations

import copy

from tests.conftest import ARN, field, producer_app, record
from tests.desired.test_desired_state import state

REFILL = "health/refill_requested"


def reader(tree, name: str, fields: list[str] | None) -> None:
    doc = producer_app("notify", name, {"prod": [ARN.format(name)]})
    sub = {"event": REFILL, "purpose": "Reads refills for the tests.", "environments": ["prod"]}
    if fields is not None:
        sub["fields"] = fields
    doc["subscriptions"] = [sub]
    doc["compliance"]["data_sharing_agreement"] = "DSA-1"
    doc["compliance"]["obi_approvals"] = [{"event": REFILL, "reference": "OBI-1", "environments": ["prod"]}]
    tree.consumers[f"notify/{name}"] = doc
    tree.events[REFILL]["meta"]["access"]["allowed_consumers"].append(f"notify/{name}")


def test_topics_carry_their_classified_fields_and_apps_their_declared_fields(tree):
    rx = tree.events[REFILL]["versions"][0]
    rx["fields"].append(field("dx", ["null", record("Dx", [field("code", "string", classification="PHI"), field("note", "string")])], default=None))
    reader(tree, "reads-rx", ["rxId"])
    reader(tree, "reads-dx", ["dx.code"])
    d = state(tree)
    topic = d.topic_by_event[REFILL]
    assert topic.classified_fields == (("icn", "PII"), ("dx.code", "PHI"))
    assert d.topic_by_event["claims/claim_created"].classified_fields == ()
    apps = d.apps_by_ref
    assert apps["notify/reads-rx"].declared(topic.name) == ("rxId",) and apps["notify/notifier"].declared(topic.name) is None
    # who reads a field: its declarers (True) and every application that declares none (False)
    assert {(a.ref, declares) for a, declares in d.field_readers(topic.name, "dx.code")} == {("notify/reads-dx", True), ("notify/notifier", False)}
    assert {a.ref for a, _ in d.field_readers(topic.name, "dx")} == {"notify/reads-dx", "notify/notifier"}  # dx.code is inside dx
    assert {a.ref for a, _ in d.field_readers(topic.name, "rxId")} == {"notify/reads-rx", "notify/notifier"}
    # the classified fields each application reads (least data: none for reads-rx)
    assert d.classified_reads(apps["notify/reads-rx"], topic.name) == ()
    assert d.classified_reads(apps["notify/reads-dx"], topic.name) == (("dx.code", "PHI"),)
    assert d.classified_reads(apps["notify/notifier"], topic.name) == (("icn", "PII"), ("dx.code", "PHI"))


def test_successor_links_are_on_both_topics(tree):
    tree.events["claims/claim_created_v2"] = copy.deepcopy(tree.events["claims/claim_created"])  # replaces: is optional; replaced_by links both
    tree.events["claims/claim_created"]["meta"].update(lifecycle="deprecated", deprecated_on="2026-11-01", removal_date="2027-06-01",
                                                      replaced_by="claims/claim_created_v2")
    d = state(tree)
    assert d.topic_by_event["claims/claim_created"].replaced_by == "claims/claim_created_v2"
    assert d.topic_by_event["claims/claim_created_v2"].replaces == ("claims/claim_created",)
