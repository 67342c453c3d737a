"""`subscription-environment`: A subscription names only environments where the event has a producer (elsewhere the topic stays empty)."""
from tests.conftest import Tree, check_rule, line_of

RULE = "subscription-environment"
NOTIFIER = "consumers/notify/notifier.yaml"


def test_the_fixture_passes():
    assert check_rule(Tree(), RULE) == []


def m_sub_env(t):
    t.consumers["claims-team/claims-publisher"]["principals"].pop("sandbox")


def test_sub_env():
    t = Tree()
    m_sub_env(t)
    found = check_rule(t, RULE)
    assert found, "subscription-environment did not fire"
    assert found[0].loc.file == NOTIFIER and found[0].message and found[0].hint
    assert found[0].loc.line == line_of(t, NOTIFIER, '- sandbox'), found[0].one_line()
