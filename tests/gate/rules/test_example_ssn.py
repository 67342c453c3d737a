"""`example-ssn`: an example payload holds no value written like a Social Security number that could be issued."""
from tests.conftest import Tree, check_rule

RULE = "example-ssn"
CLAIM = "events/claims/claim_created"


def test_the_fixture_passes():
    assert check_rule(Tree(), RULE) == []


def test_an_ssn_in_an_example_is_refused():
    t = Tree()
    t.events["claims/claim_created"]["examples"]["one.json"] = {"claimId": 1, "status": "OPEN", "note": "veteran 123-45-6789"}
    found = check_rule(t, RULE)
    assert [f.loc.file for f in found] == [f"{CLAIM}/examples/one.json"] and "'note'" in found[0].message


def test_never_issued_numbers_and_other_dashes_pass():
    t = Tree()
    for i, note in enumerate(("900-12-3456", "000-12-3456", "666-12-3456", "123-00-4567", "123-45-0000", "2026-01-15", "1-123-45-6789")):
        t.events["claims/claim_created"]["examples"][f"e{i}.json"] = {"claimId": 1, "status": "OPEN", "note": note}
    assert check_rule(t, RULE) == []
