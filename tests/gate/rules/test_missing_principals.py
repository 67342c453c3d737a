"""`missing-principals`: A consumer subscribing in an environment lists the IAM principals that will use that access there."""
from tests.conftest import Tree, check_rule, line_of

RULE = "missing-principals"
NOTIFIER = "consumers/notify/notifier.yaml"


def test_the_fixture_passes():
    assert check_rule(Tree(), RULE) == []


def m_missing_principals(t):
    del t.consumers["notify/notifier"]["principals"]["sandbox"]


def test_missing_principals():
    t = Tree()
    m_missing_principals(t)
    found = check_rule(t, RULE)
    assert found, "missing-principals did not fire"
    assert found[0].loc.file == NOTIFIER and found[0].message and found[0].hint
    assert found[0].loc.line == line_of(t, NOTIFIER, '- sandbox'), found[0].one_line()
