"""`adopt-schema-history`: the registry's versions of an adopted subject are the tree's v1..vN, unchanged."""
import json

from tests.conftest import Tree, check_rule, field
from tests.gate.rules.adoption_fixture import record

RULE = "adopt-schema-history"
V1 = "events/claims/claim_created/v1.avsc"


def tree() -> Tree:
    t = Tree()
    t.adoptions["prod"] = record()
    return t


def test_the_same_schemas_pass_whatever_their_formatting():
    t = tree()
    assert check_rule(t, RULE) == []
    files = t.files()
    compact = json.dumps(json.loads(files[V1]), separators=(",", ":"))
    assert compact != files[V1]  # the test tree's files are indented: formatting is not what counts


def test_a_changed_version_is_an_error_on_its_file():
    t = tree()
    t.events["claims/claim_created"]["versions"][0]["fields"].append(field("extra", ["null", "string"], default=None))
    found = check_rule(t, RULE)
    assert [f.loc.file for f in found] == [V1] and "schema id 11" in found[0].message


def test_a_version_missing_from_the_tree():
    t = tree()
    t.events["claims/claim_created"]["versions"].pop()
    found = check_rule(t, RULE)
    assert len(found) == 1 and "has no v2.avsc" in found[0].message and "schema id 12" in found[0].hint


def test_more_versions_in_the_tree_are_new_versions():
    t = tree()
    v2 = t.events["claims/claim_created"]["versions"][1]
    t.events["claims/claim_created"]["versions"].append({**v2, "fields": v2["fields"] + [field("more", ["null", "long"], default=None)]})
    assert check_rule(t, RULE) == []


def test_a_key_schema_that_is_not_the_registrys():
    t = tree()
    t.events["claims/claim_created"]["key"] = {"type": "long", "doc": "Claim id."}
    found = check_rule(t, RULE)
    assert [f.loc.file for f in found] == ["events/claims/claim_created/key.avsc"]
