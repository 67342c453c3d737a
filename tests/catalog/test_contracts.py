"""Field-level contracts in the catalog: classification badges per field, who declares they read a
field, and the consumers a breaking version affects (from the fields they declare)."""
from __future__ import annotations

import re

import pytest

from eventbus.catalog import build_catalog
from tests.catalog.conftest import text_of
from tests.conftest import ARN, V1, field, producer_app, record

ADDRESS = {"type": "record", "name": "Address", "fields": [
    field("zip", "string", classification="PII"), field("country", "string")]}
V1_CLASSIFIED = record("ClaimCreated", V1["fields"] + [
    field("veteranIcn", "string", **{"confluent:tags": ["PII"]}),
    field("address", ["null", ADDRESS], default=None),
    field("diagnosis", {"type": "record", "name": "Diagnosis", "fields": [field("code", "string")]}, classification="PHI"),
])
V2_DROPS_ZIP = record("ClaimCreated", V1["fields"] + [
    field("veteranIcn", "string", **{"confluent:tags": ["PII"]}),
    field("address", ["null", {"type": "record", "name": "Address", "fields": [field("country", "string")]}], default=None),
    field("diagnosis", {"type": "record", "name": "Diagnosis", "fields": [field("code", "string")]}, classification="PHI"),
])


@pytest.fixture()
def contract_site(tree, tmp_path):
    ev = tree.events["claims/claim_created"]
    ev["meta"]["classification"] = {"data": "PHI"}
    ev["meta"]["schema"]["compatibility"] = "NONE"
    ev["versions"] = [V1_CLASSIFIED, V2_DROPS_ZIP]
    ev["examples"] = {"one.json": {"claimId": 1, "status": "OPEN", "veteranIcn": "1", "address": None, "diagnosis": {"code": "X"}}}
    subs = tree.consumers["notify/notifier"]["subscriptions"]
    subs[0]["fields"] = ["claimId", "address.country"]  # reads the record holding zip, not zip itself
    tree.consumers["pharmacy/refill-api"]["subscriptions"] = [
        {"event": "claims/claim_created", "purpose": "Match refills to claims.", "environments": ["prod"], "fields": ["address.zip"]}]
    tree.consumers["claims-team/claims-publisher"]["subscriptions"] = [
        {"event": "claims/claim_created", "purpose": "Audit what was published.", "environments": ["prod"]}]
    coder = tree.consumers["notify/coder"] = producer_app("notify", "coder", {"prod": [ARN.format("coder")]})
    coder["subscriptions"] = [{"event": "claims/claim_created", "purpose": "Code the claim.", "environments": ["prod"], "fields": ["claimId", "diagnosis.code"]}]
    tree.write()
    out = tmp_path / "site"
    build_catalog(str(tree.root), str(out), workers=1)
    return out


def row(html: str, path: str) -> str:
    """The text of the field-table row of ``path`` (the first table that has it)."""
    m = re.search(r'<tr id="[^"]*" data-path="' + re.escape(path) + r'".*?</tr>', html, re.S)
    assert m, path
    return text_of(m.group(0))


def test_fields_carry_their_classification_badges(contract_site):
    html = (contract_site / "events/claims/claim_created/v1.html").read_text()
    assert "PII" in row(html, "veteranIcn")  # Confluent's tag
    assert "PII" in row(html, "address.zip")  # nested, inside a union branch
    assert "PHI" in row(html, "diagnosis") and "PHI" in row(html, "diagnosis.code")  # inherited by the nested field
    for plain in ("claimId", "address.country"):
        assert "PII" not in row(html, plain) and "PHI" not in row(html, plain)
    assert re.search(r'class="badge cl-PII">PII<', html)


def test_each_field_names_the_applications_that_declare_they_read_it(contract_site):
    html = (contract_site / "events/claims/claim_created/v1.html").read_text()
    assert "notify/notifier" in row(html, "claimId")
    assert "notify/notifier" in row(html, "address.country") and "pharmacy/refill-api" in row(html, "address.zip")
    assert "notify/notifier" not in row(html, "address.zip")
    assert "Read by" not in row(html, "veteranIcn")  # only the publisher's audit reads it, without declaring fields
    # a record field is read by whoever declares a field inside it
    assert "notify/notifier" in row(html, "address") and "pharmacy/refill-api" in row(html, "address")


def test_a_breaking_version_names_only_the_consumers_it_affects(contract_site):
    t = text_of((contract_site / "events/claims/claim_created/v2.html").read_text())
    assert "Consumers this affects" in t
    affects = t.split("Consumers this affects", 1)[1].split("Field by field", 1)[0]
    assert "pharmacy/refill-api" in affects and "reads address.zip" in affects
    assert "claims-team/claims-publisher" in affects and "declares no fields" in affects
    assert "notify/notifier" not in affects  # declares address.country and claimId only
    changes = t.split("Field by field", 1)[1]
    assert "read by pharmacy/refill-api" in changes


def test_without_declared_fields_or_classifications_rows_stay_plain(tree, tmp_path):
    tree.write()
    out = tmp_path / "site"
    build_catalog(str(tree.root), str(out), workers=1)
    html = (out / "events/claims/claim_created/v1.html").read_text()
    assert "Read by" not in text_of(html) and 'class="badge cl-P' not in row(html, "claimId")


def test_the_privacy_review_lists_the_classified_fields_each_consumer_reads(contract_site):
    html = (contract_site / "reviews/sensitive.html").read_text()
    html = html.split('id="s-claims-claim-created"', 1)[1].split("</section>", 1)[0]
    rows = {m.group(1): text_of(m.group(0)) for m in re.finditer(r'<tr><th scope="row" data-label="Consumer"><a [^>]*>([^<]+)</a>.*?</tr>', html, re.S)}
    # the latest version (v2) has no address.zip: classified are veteranIcn, diagnosis, diagnosis.code
    coder = rows["notify/coder"]
    assert "diagnosis.code" in coder and "PHI" in coder and "veteranIcn" not in coder
    assert "only unclassified fields" in rows["notify/notifier"]  # claimId and address.country: least data
    assert "only unclassified fields" in rows["pharmacy/refill-api"]  # what it declares (address.zip) is gone from v2
    audit = rows["claims-team/claims-publisher"]  # declares nothing: every classified field
    assert "declares no fields: all 3" in audit and all(p in audit for p in ("veteranIcn", "diagnosis", "diagnosis.code"))
