"""`avro-logical-type`: a logical type on a type it does not fit is ignored by readers (a warning)."""
import json

from tests.conftest import V2, Tree, check_rule, line_of

RULE = "avro-logical-type"
CLAIM = "events/claims/claim_created"


def test_the_fixture_passes():
    assert check_rule(Tree(), RULE) == []


def test_logical_type_on_the_wrong_type():
    t = Tree()
    v = json.loads(json.dumps(V2))
    v["fields"].append({"name": "seenAt", "type": ["null", {"type": "int", "logicalType": "timestamp-millis"}], "default": None, "doc": "d"})
    t.events["claims/claim_created"]["versions"][1] = v
    found = check_rule(t, RULE)
    assert found and found[0].loc.file == f"{CLAIM}/v2.avsc" and found[0].message and found[0].hint
    assert found[0].loc.line == line_of(t, f"{CLAIM}/v2.avsc", '"name": "seenAt"'), found[0].one_line()
