"""`iam-policy-size`: An application's generated IAM policies fit IAM's limits: the access policy at most 10,240 characters, the trust policy at most 2,048."""
from tests.conftest import ARN, Tree, check_rule, line_of

RULE = "iam-policy-size"
NOTIFIER = "consumers/notify/notifier.yaml"


def test_the_fixture_passes():
    assert check_rule(Tree(), RULE) == []


def m_trust_size(t):
    t.consumers["notify/notifier"]["principals"]["prod"] = [ARN.format(f"team/path/{'x' * 140}-{i}") for i in range(15)]


def test_trust_size():
    t = Tree()
    m_trust_size(t)
    found = check_rule(t, RULE)
    assert found, "iam-policy-size did not fire"
    assert found[0].loc.file == NOTIFIER and found[0].message and found[0].hint
    assert found[0].loc.line == line_of(t, NOTIFIER, 'principals:'), found[0].one_line()
