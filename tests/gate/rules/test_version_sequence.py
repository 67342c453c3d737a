"""`version-sequence`: Value schema versions are numbered v1.avsc, v2.avsc, ... without gaps, and there is at least one."""
from tests.conftest import Tree, check_rule

RULE = "version-sequence"
REFILL = "events/health/refill_requested"


def test_the_fixture_passes():
    assert check_rule(Tree(), RULE) == []


def m_no_versions(t):
    t.events["health/refill_requested"]["versions"] = []


def test_no_versions():
    t = Tree()
    m_no_versions(t)
    found = check_rule(t, RULE)
    assert found, "version-sequence did not fire"
    assert found[0].loc.file == f"{REFILL}/event.yaml" and found[0].message and found[0].hint
