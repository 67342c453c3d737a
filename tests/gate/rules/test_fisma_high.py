"""`fisma-high`: Systems categorised FISMA High are refused: the bus is authorised at FISMA Moderate."""
from tests.conftest import Tree, check_rule, line_of

RULE = "fisma-high"
NOTIFIER = "consumers/notify/notifier.yaml"


def test_the_fixture_passes():
    assert check_rule(Tree(), RULE) == []


def m_fisma(t):
    t.consumers["notify/notifier"]["compliance"]["fisma_level"] = "High"


def test_fisma():
    t = Tree()
    m_fisma(t)
    found = check_rule(t, RULE)
    assert found, "fisma-high did not fire"
    assert found[0].loc.file == NOTIFIER and found[0].message and found[0].hint
    assert found[0].loc.line == line_of(t, NOTIFIER, 'fisma_level:'), found[0].one_line()
