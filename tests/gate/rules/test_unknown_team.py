"""`unknown-team`: Every owner team and consumer team has a record in teams/<id>.yaml."""
from tests.conftest import Tree, check_rule, line_of

RULE = "unknown-team"
CLAIM = "events/claims/claim_created"
NOTIFIER = "consumers/notify/notifier.yaml"


def test_the_fixture_passes():
    assert check_rule(Tree(), RULE) == []


def m_owner(t):
    t.events["claims/claim_created"]["meta"]["owner"] = "nobody"


def m_consumer_team_missing(t):
    del t.teams["notify"]


def test_owner():
    t = Tree()
    m_owner(t)
    found = check_rule(t, RULE)
    assert found, "unknown-team did not fire"
    assert found[0].loc.file == f"{CLAIM}/event.yaml" and found[0].message and found[0].hint
    assert found[0].loc.line == line_of(t, f"{CLAIM}/event.yaml", 'owner:'), found[0].one_line()


def test_consumer_team_missing():
    t = Tree()
    m_consumer_team_missing(t)
    found = check_rule(t, RULE)
    assert found, "unknown-team did not fire"
    assert found[0].loc.file == NOTIFIER and found[0].message and found[0].hint
    assert found[0].loc.line == line_of(t, NOTIFIER, 'team:'), found[0].one_line()
