"""`schema-compat`: Each value schema version is compatible with its history under the event's mode (Confluent Schema Registry semantics)."""
import json

from tests.conftest import V2, Tree, check_rule, field, line_of

RULE = "schema-compat"
CLAIM = "events/claims/claim_created"


def test_the_fixture_passes():
    assert check_rule(Tree(), RULE) == []


def m_compat(t):
    v = json.loads(json.dumps(V2))
    v["fields"].append(field("required", "string"))
    t.events["claims/claim_created"]["versions"][1] = v


def test_compat():
    t = Tree()
    m_compat(t)
    found = check_rule(t, RULE)
    assert found, "schema-compat did not fire"
    assert found[0].loc.file == f"{CLAIM}/v2.avsc" and found[0].message and found[0].hint
    assert found[0].loc.line == line_of(t, f"{CLAIM}/v2.avsc", '"name": "required"'), found[0].one_line()
