"""`classification-fields`: an event's classification is at least that of its most sensitive field, in every version."""
import json

from tests.conftest import V2, Tree, check_rule, field, line_of, record

RULE = "classification-fields"
CLAIM = "events/claims/claim_created"
REFILL = "events/health/refill_requested"


def test_the_fixture_passes():
    # health/refill_requested is PHI and classifies icn PII
    assert check_rule(Tree(), RULE) == []


def test_a_pii_field_in_an_unclassified_event():
    t = Tree()
    v = json.loads(json.dumps(V2))
    v["fields"].append(field("icn", ["null", "string"], default=None, classification="PII"))
    t.events["claims/claim_created"]["versions"].append(v)
    found = check_rule(t, RULE)
    assert len(found) == 1 and found[0].loc.file == f"{CLAIM}/event.yaml"
    assert found[0].loc.line == line_of(t, f"{CLAIM}/event.yaml", "data: none")
    assert "'icn' PII (v3.avsc)" in found[0].message and "classification.data: PII" in found[0].hint


def test_an_older_version_counts_too():
    t = Tree()
    t.events["claims/claim_created"]["versions"][0]["fields"].append(field("ssn", "string", **{"confluent:tags": ["PII"]}))
    found = check_rule(t, RULE)
    assert found and "(v1.avsc)" in found[0].message


def test_a_nested_field_in_a_union_branch_raises_it_and_inheritance_covers_children():
    t = Tree()
    t.events["health/refill_requested"]["meta"]["classification"]["data"] = "PII"
    rx = t.events["health/refill_requested"]["versions"][0]
    # ctx is PII; its child inherits PII (fine for a PII event), the grandchild says PHI
    inner = record("Dx", [field("code", "string", classification="PHI")])
    rx["fields"].append(field("ctx", ["null", record("Ctx", [field("who", "string"), field("dx", inner)])], default=None, classification="PII"))
    found = check_rule(t, RULE)
    assert len(found) == 1 and found[0].loc.file == f"{REFILL}/event.yaml"
    assert "'ctx.dx.code' PHI (v1.avsc)" in found[0].message and "ctx.who" not in found[0].message
