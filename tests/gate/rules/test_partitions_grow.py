"""`partitions-grow`: partitions only grow (Kafka would have to recreate the topic)."""
from tests.conftest import Tree, check_rule, line_of

RULE = "partitions-grow"
CLAIM = "events/claims/claim_created/event.yaml"


def test_more_partitions_pass():
    t = Tree()
    t.events["claims/claim_created"]["meta"]["topic"]["partitions"] = 6
    assert check_rule(t, RULE, base=Tree()) == []


def test_partitions_cannot_shrink():
    t = Tree()
    t.events["claims/claim_created"]["meta"]["topic"]["partitions"] = 2
    found = check_rule(t, RULE, base=Tree())
    assert found and "from 3 to 2" in found[0].message
    assert found[0].loc.line == line_of(t, CLAIM, "partitions:")
