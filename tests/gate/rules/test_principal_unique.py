"""`principal-unique`: An IAM principal belongs to one application: no two applications list the same role or user (IAM names ignore case and path), and no application lists a role the bus creates."""
from tests.conftest import ARN, Tree, check_rule, line_of

RULE = "principal-unique"
PUBLISHER = "consumers/claims-team/claims-publisher.yaml"
NOTIFIER = "consumers/notify/notifier.yaml"


def test_the_fixture_passes():
    assert check_rule(Tree(), RULE) == []


def _lists(t, arn):
    t.consumers["claims-team/claims-publisher"]["principals"]["prod"] = [arn]


def test_another_applications_principal():
    """The notifier is admitted to the restricted refill event; its principal listed by another
    team's application would also get that application's grants (and the other way round)."""
    t = Tree()
    _lists(t, ARN.format("notifier"))
    found = check_rule(t, RULE)
    assert sorted(f.loc.file for f in found) == [PUBLISHER, NOTIFIER], [f.one_line() for f in found]
    for f in found:
        other = "notify/notifier" if f.loc.file == PUBLISHER else "claims-team/claims-publisher"
        assert f"also listed by {other}" in f.message and f.hint, f.one_line()
        assert f.loc.line == line_of(t, f.loc.file, ARN.format("notifier")), f.one_line()


def test_same_role_in_other_case_or_path():
    for arn in (ARN.format("Notifier"), ARN.format("svc/notifier")):
        t = Tree()
        _lists(t, arn)
        found = check_rule(t, RULE)
        assert len(found) == 2 and all("IAM names ignore case and path" in f.message for f in found), (arn, [f.one_line() for f in found])


def test_a_role_of_the_bus():
    t = Tree()
    _lists(t, "arn:aws-us-gov:iam::123456789012:role/eeb-prod.notify.notifier")
    found = check_rule(t, RULE)
    assert len(found) == 1 and "role the event bus creates" in found[0].message, [f.one_line() for f in found]
    assert found[0].loc.file == PUBLISHER


def test_one_application_in_two_environments_passes():
    t = Tree()
    t.consumers["notify/notifier"]["principals"]["sandbox"] = [ARN.format("notifier")]
    assert check_rule(t, RULE) == []


def test_other_accounts_and_names_pass():
    t = Tree()
    _lists(t, "arn:aws-us-gov:iam::999922223333:role/notifier")
    t.consumers["pharmacy/refill-api"]["principals"]["prod"] = [ARN.format("notifier-2"), "arn:aws-us-gov:iam::111122223333:user/notifier"]
    assert check_rule(t, RULE) == []
