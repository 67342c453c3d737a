"""`obi-approval`: Consumers of BIP-sourced events hold an OBI data access approval for each environment they subscribe in."""
from tests.conftest import Tree, check_rule, line_of

RULE = "obi-approval"
NOTIFIER = "consumers/notify/notifier.yaml"


def test_the_fixture_passes():
    assert check_rule(Tree(), RULE) == []


def m_obi(t):
    t.consumers["notify/notifier"]["compliance"]["obi_approvals"] = []


def test_obi():
    t = Tree()
    m_obi(t)
    found = check_rule(t, RULE)
    assert found, "obi-approval did not fire"
    assert found[0].loc.file == NOTIFIER and found[0].message and found[0].hint
    assert found[0].loc.line == line_of(t, NOTIFIER, 'event: health/refill_requested'), found[0].one_line()


def test_an_approval_whose_reference_holds_no_number_does_not_count():
    t = Tree()
    t.consumers["notify/notifier"]["compliance"]["obi_approvals"][0]["reference"] = "TBD"
    found = check_rule(t, RULE)
    assert len(found) == 1 and "holds no reference number" in found[0].message, [f.one_line() for f in found]
