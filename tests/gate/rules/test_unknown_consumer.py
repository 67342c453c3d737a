"""`unknown-consumer`: Every ``access.allowed_consumers`` entry of a restricted event names an existing consumer application."""
from tests.conftest import Tree, check_rule, line_of

RULE = "unknown-consumer"
REFILL = "events/health/refill_requested"


def test_the_fixture_passes():
    assert check_rule(Tree(), RULE) == []


def m_unknown_consumer(t):
    t.events["health/refill_requested"]["meta"]["access"]["allowed_consumers"].append("ghost/app")


def test_unknown_consumer():
    t = Tree()
    m_unknown_consumer(t)
    found = check_rule(t, RULE)
    assert found, "unknown-consumer did not fire"
    assert found[0].loc.file == f"{REFILL}/event.yaml" and found[0].message and found[0].hint
    assert found[0].loc.line == line_of(t, f"{REFILL}/event.yaml", '- ghost/app'), found[0].one_line()
