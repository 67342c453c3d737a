"""`duplicate-subscription`: An application subscribes to each event once (list every environment in that one entry)."""
from tests.conftest import Tree, check_rule

RULE = "duplicate-subscription"
NOTIFIER = "consumers/notify/notifier.yaml"


def test_the_fixture_passes():
    assert check_rule(Tree(), RULE) == []


def m_dup_sub(t):
    subs = t.consumers["notify/notifier"]["subscriptions"]
    subs.append(dict(subs[0], environments=["prod"]))


def test_dup_sub():
    t = Tree()
    m_dup_sub(t)
    found = check_rule(t, RULE)
    assert found, "duplicate-subscription did not fire"
    assert found[0].loc.file == NOTIFIER and found[0].message and found[0].hint
