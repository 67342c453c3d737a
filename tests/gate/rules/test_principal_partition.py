"""`principal-partition`: IAM principals of an environment use the AWS partition of that environment's stacks (``aws-us-gov`` in GovCloud)."""
from tests.conftest import Tree, check_rule, line_of

RULE = "principal-partition"
NOTIFIER = "consumers/notify/notifier.yaml"


def test_the_fixture_passes():
    assert check_rule(Tree(), RULE) == []


def m_partition(t):
    t.consumers["notify/notifier"]["principals"]["prod"] = ["arn:aws:iam::111122223333:role/notifier"]


def test_partition():
    t = Tree()
    m_partition(t)
    found = check_rule(t, RULE)
    assert found, "principal-partition did not fire"
    assert found[0].loc.file == NOTIFIER and found[0].message and found[0].hint
    assert found[0].loc.line == line_of(t, NOTIFIER, 'arn:aws:iam'), found[0].one_line()
