"""`field-classification`: a field's classification is written so the gate can read it (on the field: "classification" or Confluent's "confluent:tags")."""
import json

from tests.conftest import V2, Tree, check_rule, field, line_of, record

RULE = "field-classification"
CLAIM = "events/claims/claim_created"
REFILL = "health/refill_requested"


def test_the_fixture_passes():
    assert check_rule(Tree(), RULE) == []


def with_v3(t: Tree, *fields) -> None:
    v = json.loads(json.dumps(V2))
    v["fields"] += list(fields)
    t.events["claims/claim_created"]["versions"].append(v)


def nested(inner: dict) -> dict:
    """A union field whose record branch holds an array of records with ``inner``."""
    item = record("Item", [field("code", "string"), inner])
    return field("ctx", ["null", record("Ctx", [field("items", {"type": "array", "items": item}, default=[])])], default=None)


def test_confluent_tags_and_the_property_pass_on_nested_union_fields():
    t = Tree()
    with_v3(t, nested(field("ssn", "string", **{"confluent:tags": ["PII", "sensitive"]})), field("dx", "string", classification="none"))
    assert check_rule(t, RULE) == []


def test_a_value_that_is_not_a_classification():
    t = Tree()
    with_v3(t, nested(field("ssn", "string", classification="pii")))
    found = check_rule(t, RULE)
    assert len(found) == 1 and found[0].loc.file == f"{CLAIM}/v3.avsc"
    assert found[0].loc.line == line_of(t, f"{CLAIM}/v3.avsc", '"name": "ssn"')
    assert "'ctx.items.ssn'" in found[0].message and found[0].hint == 'write "classification": "PII"'


def test_tags_that_are_not_a_list_and_lowercase_tags():
    t = Tree()
    with_v3(t, field("a", "string", **{"confluent:tags": "PII"}), field("b", "string", **{"confluent:tags": ["phi"]}))
    assert sorted(f.message for f in check_rule(t, RULE)) == [
        "field 'a': \"confluent:tags\" must be a list of tag names",
        "field 'b': tag \"phi\" is not read (tags are case-sensitive)",
    ]


def test_a_tag_with_spaces_is_not_read_and_is_refused():
    t = Tree()
    with_v3(t, field("a", "string", **{"confluent:tags": ["PII "]}), field("b", "string", **{"confluent:tags": [" phi"]}))
    assert sorted((f.message, f.hint) for f in check_rule(t, RULE)) == [
        ("field 'a': tag \"PII \" is not read (tags are case-sensitive)", 'write "PII"'),
        ("field 'b': tag \" phi\" is not read (tags are case-sensitive)", 'write "PHI"'),
    ]


def test_none_beside_a_pii_tag_contradicts():
    t = Tree()
    with_v3(t, field("a", "string", classification="none", **{"confluent:tags": ["PII"]}))
    found = check_rule(t, RULE)
    assert len(found) == 1 and "contradicts the tag PII" in found[0].message


def test_on_a_union_branch_or_a_record_type_it_is_not_read():
    t = Tree()
    branch = field("icn", ["null", {"type": "string", "classification": "PII"}], default=None)
    typed = field("who", {**record("Who", [field("name", "string")]), "classification": "PII"})
    with_v3(t, branch, typed)
    found = check_rule(t, RULE)
    assert sorted(f.message for f in found) == [
        "field 'icn': a classification on its type (string) is not read",
        "field 'who': a classification on its type (record Who) is not read",
    ]
    assert all(f.hint.startswith('put "classification"') for f in found)


def test_on_the_schema_itself_it_is_not_read():
    t = Tree()
    v = {**json.loads(json.dumps(V2)), "classification": "PII"}
    t.events["claims/claim_created"]["versions"].append(v)
    found = check_rule(t, RULE)
    assert len(found) == 1 and found[0].loc.file == f"{CLAIM}/v3.avsc" and "on the schema itself" in found[0].message
