"""`restricted-access`: A restricted event only admits the consumers its owning team lists in ``access.allowed_consumers``."""
from tests.conftest import Tree, check_rule, line_of

RULE = "restricted-access"
NOTIFIER = "consumers/notify/notifier.yaml"


def test_the_fixture_passes():
    assert check_rule(Tree(), RULE) == []


def m_restricted(t):
    t.events["health/refill_requested"]["meta"]["access"]["allowed_consumers"] = []


def test_restricted():
    t = Tree()
    m_restricted(t)
    found = check_rule(t, RULE)
    assert found, "restricted-access did not fire"
    assert found[0].loc.file == NOTIFIER and found[0].message and found[0].hint
    assert found[0].loc.line == line_of(t, NOTIFIER, 'event: health/refill_requested'), found[0].one_line()
