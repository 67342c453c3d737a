"""`group-unique`: Consumer groups belong to one application: no two applications share a group name or overlap through a prefix."""
import json

from tests.conftest import Tree, check_rule, line_of

RULE = "group-unique"
NOTIFIER = "consumers/notify/notifier.yaml"


def test_the_fixture_passes():
    assert check_rule(Tree(), RULE) == []


def m_group(t):
    c = json.loads(json.dumps(t.consumers["notify/notifier"]))
    c["application"] = "notifier2"
    c["consumer_group"] = {"name": "notify.notifier"}
    c["subscriptions"] = c["subscriptions"][:1]
    t.consumers["notify/notifier2"] = c


def m_prefix_group(t):
    m_group(t)
    t.consumers["notify/notifier2"]["consumer_group"] = {"name": "notify", "prefix": True}


def test_prefix_group():
    t = Tree()
    m_prefix_group(t)
    found = check_rule(t, RULE)
    assert found, "group-unique did not fire"
    assert found[0].loc.file == NOTIFIER and found[0].message and found[0].hint


def test_group():
    t = Tree()
    m_group(t)
    found = check_rule(t, RULE)
    assert found, "group-unique did not fire"
    assert found[0].loc.file == 'consumers/notify/notifier2.yaml' and found[0].message and found[0].hint
    assert found[0].loc.line == line_of(t, 'consumers/notify/notifier2.yaml', 'consumer_group:'), found[0].one_line()
