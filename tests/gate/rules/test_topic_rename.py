"""`topic-rename`: an event's topic name never changes (the topic would be replaced)."""
from tests.conftest import Tree, check_rule

RULE = "topic-rename"


def test_an_unchanged_name_passes():
    assert check_rule(Tree(), RULE, base=Tree()) == []


def test_topic_rename():
    t = Tree()
    t.events["claims/claim_created"]["meta"]["topic"]["name"] = "claims_created_v2"
    found = check_rule(t, RULE, base=Tree())
    assert found and "claims_claim_created" in found[0].message and found[0].loc.file == "events/claims/claim_created/event.yaml"
