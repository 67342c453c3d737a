"""`classification-environment`: Events carrying PII or PHI are never subscribed to in an environment whose stacks forbid that classification (the sandbox allows none)."""
from tests.conftest import Tree, check_rule

RULE = "classification-environment"
NOTIFIER = "consumers/notify/notifier.yaml"


def test_the_fixture_passes():
    assert check_rule(Tree(), RULE) == []


def m_sandbox_phi(t):
    t.consumers["notify/notifier"]["subscriptions"][1]["environments"] = ["sandbox", "prod"]
    t.consumers["notify/notifier"]["compliance"]["obi_approvals"][0]["environments"] = ["sandbox", "prod"]


def test_sandbox_phi():
    t = Tree()
    m_sandbox_phi(t)
    found = check_rule(t, RULE)
    assert found, "classification-environment did not fire"
    assert found[0].loc.file == NOTIFIER and found[0].message and found[0].hint
