"""`example-missing`: An event in development or production ships at least one example payload."""
from tests.conftest import Tree, check_rule

RULE = "example-missing"
CLAIM = "events/claims/claim_created"


def test_the_fixture_passes():
    assert check_rule(Tree(), RULE) == []


def m_example_missing(t):
    t.events["claims/claim_created"]["examples"] = {}


def test_example_missing():
    t = Tree()
    m_example_missing(t)
    found = check_rule(t, RULE)
    assert found, "example-missing did not fire"
    assert found[0].loc.file == f"{CLAIM}/event.yaml" and found[0].message and found[0].hint
