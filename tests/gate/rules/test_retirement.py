"""`retirement`: An event is retired only after its removal date and once no consumer subscribes to it."""
from tests.conftest import Tree, check_rule, line_of

RULE = "retirement"
CLAIM = "events/claims/claim_created"


def test_the_fixture_passes():
    assert check_rule(Tree(), RULE) == []


def m_retired_early(t):
    meta = t.events["claims/claim_created"]["meta"]
    meta.update(lifecycle="retired", deprecated_on="2026-11-01", removal_date="2027-06-01")


def test_retired_early():
    t = Tree()
    m_retired_early(t)
    found = check_rule(t, RULE)
    assert found, "retirement did not fire"
    assert found[0].loc.file == f"{CLAIM}/event.yaml" and found[0].message and found[0].hint
    assert found[0].loc.line == line_of(t, f"{CLAIM}/event.yaml", 'lifecycle:'), found[0].one_line()
