"""`avro-doc`: Every record and every field of a schema has a non-empty ``doc`` (consumers read it in the catalog)."""
import json

from tests.conftest import V2, Tree, check_rule, line_of

RULE = "avro-doc"
CLAIM = "events/claims/claim_created"


def test_the_fixture_passes():
    assert check_rule(Tree(), RULE) == []


def m_avro_doc(t):
    v = json.loads(json.dumps(V2))
    v["fields"][2]["doc"] = "  "
    t.events["claims/claim_created"]["versions"][1] = v


def test_avro_doc():
    t = Tree()
    m_avro_doc(t)
    found = check_rule(t, RULE)
    assert found, "avro-doc did not fire"
    assert found[0].loc.file == f"{CLAIM}/v2.avsc" and found[0].message and found[0].hint
    assert found[0].loc.line == line_of(t, f"{CLAIM}/v2.avsc", '"name": "note"'), found[0].one_line()
