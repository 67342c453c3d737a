"""`example-valid`: Every example payload (examples/*.json) is valid against the latest value schema."""
from tests.conftest import Tree, check_rule

RULE = "example-valid"
CLAIM = "events/claims/claim_created"


def test_the_fixture_passes():
    assert check_rule(Tree(), RULE) == []


def m_example(t):
    t.events["claims/claim_created"]["examples"]["one.json"] = {"claimId": "not-a-long", "status": "OPEN", "note": None}


def test_example():
    t = Tree()
    m_example(t)
    found = check_rule(t, RULE)
    assert found, "example-valid did not fire"
    assert found[0].loc.file == f"{CLAIM}/examples/one.json" and found[0].message and found[0].hint
