"""`deprecation-dates`: A deprecated event carries ``deprecated_on`` and a ``removal_date`` at least six months later."""
from tests.conftest import Tree, check_rule, line_of

RULE = "deprecation-dates"
CLAIM = "events/claims/claim_created"


def test_the_fixture_passes():
    assert check_rule(Tree(), RULE) == []


def m_deprecated(t):
    t.events["claims/claim_created"]["meta"]["lifecycle"] = "deprecated"
    t.events["claims/claim_created"]["meta"]["deprecated_on"] = "2026-11-01"


def m_deprecated_short(t):
    meta = t.events["claims/claim_created"]["meta"]
    meta.update(lifecycle="deprecated", deprecated_on="2026-11-01", removal_date="2027-01-01")


def test_deprecated():
    t = Tree()
    m_deprecated(t)
    found = check_rule(t, RULE)
    assert found, "deprecation-dates did not fire"
    assert found[0].loc.file == f"{CLAIM}/event.yaml" and found[0].message and found[0].hint
    assert found[0].loc.line == line_of(t, f"{CLAIM}/event.yaml", 'lifecycle:'), found[0].one_line()


def test_deprecated_short():
    t = Tree()
    m_deprecated_short(t)
    found = check_rule(t, RULE)
    assert found, "deprecation-dates did not fire"
    assert found[0].loc.file == f"{CLAIM}/event.yaml" and found[0].message and found[0].hint
    assert found[0].loc.line == line_of(t, f"{CLAIM}/event.yaml", 'removal_date:'), found[0].one_line()
