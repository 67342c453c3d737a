"""`avro-namespace`: All versions of an event's value schema keep one record name and namespace, and nested named types live under that namespace."""
import json

from tests.conftest import V2, Tree, check_rule

RULE = "avro-namespace"
CLAIM = "events/claims/claim_created"


def test_the_fixture_passes():
    assert check_rule(Tree(), RULE) == []


def m_namespace(t):
    v = json.loads(json.dumps(V2))
    v["namespace"] = "gov.va.other"
    t.events["claims/claim_created"]["versions"][1] = v


def test_namespace():
    t = Tree()
    m_namespace(t)
    found = check_rule(t, RULE)
    assert found, "avro-namespace did not fire"
    assert found[0].loc.file == f"{CLAIM}/v2.avsc" and found[0].message and found[0].hint
