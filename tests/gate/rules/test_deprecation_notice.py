"""`deprecation-notice`: the notice a deprecation gives is not shortened (checked against ``--base``)."""
from tests.conftest import Tree, check_rule

RULE = "deprecation-notice"
CLAIM = "claims/claim_created"


def _tree(**meta):
    t = Tree()
    t.events[CLAIM]["meta"].update(meta)
    return t


DEPRECATED = {"lifecycle": "deprecated", "deprecated_on": "2026-11-01", "removal_date": "2027-06-01"}


def test_an_unchanged_history_passes():
    assert check_rule(Tree(), RULE, base=Tree()) == []
    assert check_rule(_tree(**DEPRECATED), RULE, base=_tree(**DEPRECATED)) == []


def test_a_deprecation_of_today_passes():
    assert check_rule(_tree(lifecycle="deprecated", deprecated_on="2026-11-26", removal_date="2027-05-27"), RULE, base=Tree()) == []


def test_deprecated_and_retired_in_one_change():
    t = _tree(lifecycle="retired", deprecated_on="2025-01-01", removal_date="2025-08-01")
    found = check_rule(t, RULE, base=Tree())
    assert len(found) == 1 and "retired in one change" in found[0].message


def test_a_backdated_new_deprecation():
    found = check_rule(_tree(lifecycle="deprecated", deprecated_on="2026-01-01", removal_date="2026-07-15"), RULE, base=Tree())
    assert len(found) == 1 and "deprecated_on 2026-01-01" in found[0].message


def test_dates_moved_earlier():
    t = _tree(lifecycle="deprecated", deprecated_on="2026-01-01", removal_date="2026-07-15")
    found = check_rule(t, RULE, base=_tree(**DEPRECATED))
    assert {f.message.split(" moved")[0] for f in found} == {"deprecated_on", "removal_date"}


def test_a_later_removal_date_passes():
    assert check_rule(_tree(**{**DEPRECATED, "removal_date": "2027-09-01"}), RULE, base=_tree(**DEPRECATED)) == []
