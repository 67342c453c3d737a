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


def _v3(t: Tree, *extra) -> None:
    v = json.loads(json.dumps(V2))
    v["fields"] += list(extra)
    t.events["claims/claim_created"]["versions"].append(v)


def test_two_record_branches_with_one_field_name_count_the_higher():
    # the first branch's unclassified 'code' must not hide the second branch's PHI 'code' (one path, party.code)
    t = Tree()
    _v3(t, field("party", ["null", record("Clinic", [field("code", "string")]), record("Patient", [field("code", "string", classification="PHI")])],
                 default=None))
    found = check_rule(t, RULE)
    assert len(found) == 1 and "'party.code' PHI (v3.avsc)" in found[0].message


def test_a_classified_field_past_the_expansion_limit_counts():
    # 60 uses of a 100-field record are 6,000 paths: the every-use walk stops at 5,000, the PHI field after them counts
    t = Tree()
    big = record("Big", [field(f"f{i}", ["null", "int"], default=None) for i in range(100)])
    _v3(t, field("b0", ["null", big], default=None), *[field(f"b{i}", ["null", "gov.va.test.Big"], default=None) for i in range(1, 60)],
        field("diagnosis", ["null", "string"], default=None, classification="PHI"))
    found = check_rule(t, RULE)
    assert len(found) == 1 and "'diagnosis' PHI (v3.avsc)" in found[0].message


def test_a_classified_field_deeper_than_the_walk_counts():
    # 40 nullable records deep: the parser accepts it (100 levels), the field walk stops at 64
    inner = field("diagnosis", "string", classification="PHI")
    for i in range(40):
        inner = field(f"n{i}", ["null", record(f"N{i}", [inner])], default=None)
    t = Tree()
    _v3(t, inner)
    found = check_rule(t, RULE)
    assert len(found) == 1 and ".n1.n0.diagnosis' PHI (v3.avsc)" in found[0].message
