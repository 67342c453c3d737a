"""`avro-parse`: Every .avsc is a valid Avro schema (Apache Avro's parser, plus what Java's parser and the Schema Registry also refuse: a named type twice in one union, names, enum symbols and aliases that are not Avro names, fixed sizes beyond 32 bits), logical types are valid (a decimal has a precision, ...), no record always contains itself (no value could ever be written), and a value schema is a record."""
from tests.conftest import Tree, check_rule

RULE = "avro-parse"
CLAIM = "events/claims/claim_created"
REFILL = "events/health/refill_requested"


def test_the_fixture_passes():
    assert check_rule(Tree(), RULE) == []


def m_avro_parse(t):
    t.events["claims/claim_created"]["versions"][1] = {"type": "record", "name": "X", "fields": [{"name": "a", "type": "nosuchtype", "doc": "d"}]}


def m_avro_not_record(t):
    t.events["health/refill_requested"]["versions"][0] = {"type": "string", "doc": "x"}


def test_avro_parse():
    t = Tree()
    m_avro_parse(t)
    found = check_rule(t, RULE)
    assert found, "avro-parse did not fire"
    assert found[0].loc.file == f"{CLAIM}/v2.avsc" and found[0].message and found[0].hint


def test_avro_not_record():
    t = Tree()
    m_avro_not_record(t)
    found = check_rule(t, RULE)
    assert found, "avro-parse did not fire"
    assert found[0].loc.file == f"{REFILL}/v1.avsc" and found[0].message and found[0].hint
