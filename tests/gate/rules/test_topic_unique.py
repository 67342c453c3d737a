"""`topic-unique`: Every event has a topic of its own: no two events map to the same topic name."""
from tests.conftest import Tree, check_rule, line_of

RULE = "topic-unique"
REFILL = "events/health/refill_requested"


def test_the_fixture_passes():
    assert check_rule(Tree(), RULE) == []


def m_topic_dup(t):
    t.events["health/refill_requested"]["meta"]["topic"] = {"name": "claims_claim_created"}


def test_topic_dup():
    t = Tree()
    m_topic_dup(t)
    found = check_rule(t, RULE)
    assert found, "topic-unique did not fire"
    assert found[0].loc.file == f"{REFILL}/event.yaml" and found[0].message and found[0].hint
    assert found[0].loc.line == line_of(t, f"{REFILL}/event.yaml", 'name:'), found[0].one_line()
