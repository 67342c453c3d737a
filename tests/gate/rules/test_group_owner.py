"""`group-owner`: An application's consumer group (or group prefix) starts with its own team id and a dot: ``<team>.``."""
from tests.conftest import Tree, check_rule, line_of

RULE = "group-owner"
NOTIFIER = "consumers/notify/notifier.yaml"


def test_the_fixture_passes():
    assert check_rule(Tree(), RULE) == []


def m_group_owner(t):
    t.consumers["notify/notifier"]["consumer_group"] = {"name": "pharmacy.notifier"}


def test_group_owner():
    t = Tree()
    m_group_owner(t)
    found = check_rule(t, RULE)
    assert found, "group-owner did not fire"
    assert found[0].loc.file == NOTIFIER and found[0].message and found[0].hint
    assert found[0].loc.line == line_of(t, NOTIFIER, 'name: pharmacy.notifier'), found[0].one_line()
