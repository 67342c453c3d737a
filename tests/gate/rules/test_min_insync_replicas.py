"""`min-insync-replicas`: An event's ``topic.min_insync_replicas`` is at most the replication factor of every stack that has its topic."""
from tests.conftest import Tree, check_rule, line_of

RULE = "min-insync-replicas"
CLAIM = "events/claims/claim_created"


def test_the_fixture_passes():
    assert check_rule(Tree(), RULE) == []


def m_min_isr(t):
    t.events["claims/claim_created"]["meta"]["topic"]["min_insync_replicas"] = 4


def test_min_isr():
    t = Tree()
    m_min_isr(t)
    found = check_rule(t, RULE)
    assert found, "min-insync-replicas did not fire"
    assert found[0].loc.file == f"{CLAIM}/event.yaml" and found[0].message and found[0].hint
    assert found[0].loc.line == line_of(t, f"{CLAIM}/event.yaml", 'min_insync_replicas:'), found[0].one_line()
