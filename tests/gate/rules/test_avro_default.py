"""`avro-default`: Every field default is a valid value of the field's type (for a union: of its first branch)."""
import json

from tests.conftest import V2, Tree, check_rule, line_of

RULE = "avro-default"
CLAIM = "events/claims/claim_created"


def test_the_fixture_passes():
    assert check_rule(Tree(), RULE) == []


def m_default(t):
    v = json.loads(json.dumps(V2))
    v["fields"][2]["default"] = "text"  # first branch is null
    t.events["claims/claim_created"]["versions"][1] = v


def test_default():
    t = Tree()
    m_default(t)
    found = check_rule(t, RULE)
    assert found, "avro-default did not fire"
    assert found[0].loc.file == f"{CLAIM}/v2.avsc" and found[0].message and found[0].hint
    assert found[0].loc.line == line_of(t, f"{CLAIM}/v2.avsc", '"name": "note"'), found[0].one_line()
