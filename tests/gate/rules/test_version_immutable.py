"""`version-immutable`: a merged schema version (and key.avsc) is never edited or deleted."""
import json

from tests.conftest import V2, Tree, check_rule

RULE = "version-immutable"


def test_an_unchanged_history_passes():
    assert check_rule(Tree(), RULE, base=Tree()) == []


def test_edited_merged_version():
    t = Tree()
    v = json.loads(json.dumps(V2))
    v["fields"][2]["doc"] = "Reworded doc."
    t.events["claims/claim_created"]["versions"][1] = v
    found = check_rule(t, RULE, base=Tree())
    assert len(found) == 1 and found[0].loc.file == "events/claims/claim_created/v2.avsc" and "modified" in found[0].message


def test_deleted_merged_version():
    t = Tree()
    t.events["claims/claim_created"]["versions"].pop()
    t.events["claims/claim_created"]["examples"]["one.json"] = {"claimId": 1, "status": "OPEN"}
    assert [f.message for f in check_rule(t, RULE, base=Tree())] == ["merged schema events/claims/claim_created/v2.avsc was deleted"]


def test_key_schema_is_immutable():
    t = Tree()
    t.events["claims/claim_created"]["key"] = {"type": "long", "doc": "Claim id as a number."}
    found = check_rule(t, RULE, base=Tree())
    assert found and found[0].loc.file.endswith("key.avsc")
