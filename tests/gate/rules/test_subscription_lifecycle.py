"""`subscription-lifecycle`: Subscriptions to deprecated events warn (with the removal date); new subscriptions to retired events are refused."""
from tests.conftest import Tree, check_rule, line_of

RULE = "subscription-lifecycle"
NOTIFIER = "consumers/notify/notifier.yaml"


def test_the_fixture_passes():
    assert check_rule(Tree(), RULE) == []


def m_sub_deprecated(t):
    meta = t.events["claims/claim_created"]["meta"]
    meta.update(lifecycle="deprecated", deprecated_on="2026-11-01", removal_date="2027-06-01")


def test_sub_deprecated():
    t = Tree()
    m_sub_deprecated(t)
    found = check_rule(t, RULE)
    assert found, "subscription-lifecycle did not fire"
    assert found[0].loc.file == NOTIFIER and found[0].message and found[0].hint
    assert found[0].loc.line == line_of(t, NOTIFIER, 'event: claims/claim_created'), found[0].one_line()
