"""`unknown-event`: Every subscription and OBI approval names an event that exists (``<domain>/<event>``)."""
from tests.conftest import Tree, check_rule, line_of

RULE = "unknown-event"
NOTIFIER = "consumers/notify/notifier.yaml"


def test_the_fixture_passes():
    assert check_rule(Tree(), RULE) == []


def m_unknown_event(t):
    t.consumers["notify/notifier"]["subscriptions"][0]["event"] = "claims/claim_creatd"


def test_unknown_event():
    t = Tree()
    m_unknown_event(t)
    found = check_rule(t, RULE)
    assert found, "unknown-event did not fire"
    assert found[0].loc.file == NOTIFIER and found[0].message and found[0].hint
    assert found[0].loc.line == line_of(t, NOTIFIER, 'event: claims/claim_creatd'), found[0].one_line()
