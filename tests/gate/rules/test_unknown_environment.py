"""`unknown-environment`: Environments named in principals, subscriptions and approvals exist as a stack (``eventbus:environment`` of a Pulumi.<stack>.yaml)."""
from tests.conftest import Tree, check_rule, line_of

RULE = "unknown-environment"
NOTIFIER = "consumers/notify/notifier.yaml"


def test_the_fixture_passes():
    assert check_rule(Tree(), RULE) == []


def m_unknown_env(t):
    t.consumers["notify/notifier"]["subscriptions"][0]["environments"] = ["sandbox", "staging"]


def test_unknown_env():
    t = Tree()
    m_unknown_env(t)
    found = check_rule(t, RULE)
    assert found, "unknown-environment did not fire"
    assert found[0].loc.file == NOTIFIER and found[0].message and found[0].hint
    assert found[0].loc.line == line_of(t, NOTIFIER, '- staging'), found[0].one_line()
