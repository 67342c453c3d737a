"""`compliance-expiry`: Compliance documents are current: the PTA is renewed yearly, the PIA every three years, the ATO has not expired (error), and no signing date lies in the future (error)."""
from tests.conftest import Tree, check_rule, line_of

RULE = "compliance-expiry"
NOTIFIER = "consumers/notify/notifier.yaml"


def test_the_fixture_passes():
    assert check_rule(Tree(), RULE) == []


def m_future_pta(t):
    t.consumers["notify/notifier"]["compliance"]["pta_date"] = "2031-01-01"


def m_pta_old(t):
    t.consumers["notify/notifier"]["compliance"]["pta_date"] = "2025-01-01"


def test_future_pta():
    t = Tree()
    m_future_pta(t)
    found = check_rule(t, RULE)
    assert found, "compliance-expiry did not fire"
    assert found[0].loc.file == NOTIFIER and found[0].message and found[0].hint
    assert found[0].loc.line == line_of(t, NOTIFIER, 'pta_date:'), found[0].one_line()


def test_pta_old():
    t = Tree()
    m_pta_old(t)
    found = check_rule(t, RULE)
    assert found, "compliance-expiry did not fire"
    assert found[0].loc.file == NOTIFIER and found[0].message and found[0].hint
    assert found[0].loc.line == line_of(t, NOTIFIER, 'pta_date:'), found[0].one_line()
