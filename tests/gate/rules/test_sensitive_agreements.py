"""`sensitive-agreements`: Consumers of PII or PHI events have a signed data sharing agreement and an authority to operate."""
from tests.conftest import Tree, check_rule, line_of

RULE = "sensitive-agreements"
NOTIFIER = "consumers/notify/notifier.yaml"


def test_the_fixture_passes():
    assert check_rule(Tree(), RULE) == []


def m_dsa(t):
    del t.consumers["notify/notifier"]["compliance"]["data_sharing_agreement"]


def m_ato_none(t):
    t.consumers["notify/notifier"]["compliance"]["ato_status"] = "none"


def test_dsa():
    t = Tree()
    m_dsa(t)
    found = check_rule(t, RULE)
    assert found, "sensitive-agreements did not fire"
    assert found[0].loc.file == NOTIFIER and found[0].message and found[0].hint
    assert found[0].loc.line == line_of(t, NOTIFIER, 'compliance:'), found[0].one_line()


def test_ato_none():
    t = Tree()
    m_ato_none(t)
    found = check_rule(t, RULE)
    assert found, "sensitive-agreements did not fire"
    assert found[0].loc.file == NOTIFIER and found[0].message and found[0].hint
    assert found[0].loc.line == line_of(t, NOTIFIER, 'ato_status:'), found[0].one_line()


def test_a_dsa_reference_without_a_number_is_no_agreement():
    for placeholder in ("TBD", "N/A", "none", "pending", "   "):
        t = Tree()
        t.consumers["notify/notifier"]["compliance"]["data_sharing_agreement"] = placeholder
        found = check_rule(t, RULE)
        assert [f.loc.line for f in found] == [line_of(t, NOTIFIER, "data_sharing_agreement:")], placeholder
        assert "is not a reference" in found[0].message
