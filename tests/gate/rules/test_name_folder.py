"""`name-folder`: Names written in files agree with the folders they sit in, and folder names have the right form."""
from tests.conftest import Tree, check_rule, line_of

RULE = "name-folder"
CLAIM = "events/claims/claim_created"
NOTIFIER = "consumers/notify/notifier.yaml"


def test_the_fixture_passes():
    assert check_rule(Tree(), RULE) == []


def m_domain(t):
    t.events["claims/claim_created"]["meta"]["domain"] = "benefits"


def m_consumer_team(t):
    t.consumers["notify/notifier"]["team"] = "other-team"


def m_application(t):
    t.consumers["notify/notifier"]["application"] = "notifier-two"


def m_team_id(t):
    t.teams["notify"]["id"] = "notify-x"


def test_domain():
    t = Tree()
    m_domain(t)
    found = check_rule(t, RULE)
    assert found, "name-folder did not fire"
    assert found[0].loc.file == f"{CLAIM}/event.yaml" and found[0].message and found[0].hint
    assert found[0].loc.line == line_of(t, f"{CLAIM}/event.yaml", 'domain:'), found[0].one_line()


def test_consumer_team():
    t = Tree()
    m_consumer_team(t)
    found = check_rule(t, RULE)
    assert found, "name-folder did not fire"
    assert found[0].loc.file == NOTIFIER and found[0].message and found[0].hint
    assert found[0].loc.line == line_of(t, NOTIFIER, 'team:'), found[0].one_line()


def test_application():
    t = Tree()
    m_application(t)
    found = check_rule(t, RULE)
    assert found, "name-folder did not fire"
    assert found[0].loc.file == NOTIFIER and found[0].message and found[0].hint
    assert found[0].loc.line == line_of(t, NOTIFIER, 'application:'), found[0].one_line()


def test_team_id():
    t = Tree()
    m_team_id(t)
    found = check_rule(t, RULE)
    assert found, "name-folder did not fire"
    assert found[0].loc.file == 'teams/notify.yaml' and found[0].message and found[0].hint
    assert found[0].loc.line == line_of(t, 'teams/notify.yaml', 'id:'), found[0].one_line()
