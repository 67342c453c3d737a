"""`producer-application`: Each producer of an event is an application of the event's owning team, declared in ``consumers/<owner>/<application>.yaml``."""
from tests.conftest import Tree, check_rule, line_of

RULE = "producer-application"
CLAIM = "events/claims/claim_created"


def test_the_fixture_passes():
    assert check_rule(Tree(), RULE) == []


def m_producer_undeclared(t):
    t.events["claims/claim_created"]["meta"]["producers"][0]["application"] = "ghost-publisher"


def m_producer_other_team(t):
    # refill-api belongs to pharmacy: the claims team's event cannot name it
    t.events["claims/claim_created"]["meta"]["producers"].append({"application": "refill-api"})


def test_producer_undeclared():
    t = Tree()
    m_producer_undeclared(t)
    found = check_rule(t, RULE)
    assert found, "producer-application did not fire"
    assert found[0].loc.file == f"{CLAIM}/event.yaml" and found[0].message and found[0].hint
    assert found[0].loc.line == line_of(t, f"{CLAIM}/event.yaml", 'application: ghost-publisher'), found[0].one_line()


def test_producer_other_team():
    t = Tree()
    m_producer_other_team(t)
    found = check_rule(t, RULE)
    assert found, "producer-application did not fire"
    assert found[0].loc.file == f"{CLAIM}/event.yaml" and found[0].message and found[0].hint
    assert found[0].loc.line == line_of(t, f"{CLAIM}/event.yaml", 'application: refill-api'), found[0].one_line()
