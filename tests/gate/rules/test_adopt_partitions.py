"""`adopt-partitions`: an adopted topic keeps at least the partitions it has on the cluster."""
from tests.conftest import Tree, check_rule, line_of
from tests.gate.rules.adoption_fixture import record

RULE = "adopt-partitions"
EVENT = "events/claims/claim_created/event.yaml"


def test_as_many_or_more_partitions_pass():
    t = Tree()
    t.adoptions["prod"] = record()
    assert check_rule(t, RULE) == []
    t.events["claims/claim_created"]["meta"]["topic"]["partitions"] = 12
    assert check_rule(t, RULE) == []


def test_fewer_partitions_than_live_is_an_error_at_the_partitions_line():
    t = Tree()
    t.adoptions["prod"] = record()
    t.adoptions["prod"]["topics"]["claims_claim_created"]["partitions"] = 8
    found = check_rule(t, RULE)
    assert len(found) == 1
    f = found[0]
    assert f.loc.file == EVENT and f.loc.line == line_of(t, EVENT, "partitions:")
    assert "has 8 partitions" in f.message and "says 3" in f.message and "8 or more" in f.hint
