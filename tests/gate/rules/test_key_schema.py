"""`key-schema`: ``schema.key`` and the event folder's key.avsc agree: a declared key file exists, and an existing one is declared."""
from tests.conftest import Tree, check_rule, line_of

RULE = "key-schema"
CLAIM = "events/claims/claim_created"


def test_the_fixture_passes():
    assert check_rule(Tree(), RULE) == []


def m_key_missing(t):
    t.events["claims/claim_created"]["key"] = None


def m_key_undeclared(t):
    t.events["claims/claim_created"]["meta"]["schema"].pop("key")


def test_key_missing():
    t = Tree()
    m_key_missing(t)
    found = check_rule(t, RULE)
    assert found, "key-schema did not fire"
    assert found[0].loc.file == f"{CLAIM}/event.yaml" and found[0].message and found[0].hint
    assert found[0].loc.line == line_of(t, f"{CLAIM}/event.yaml", 'key: key.avsc'), found[0].one_line()


def test_key_undeclared():
    t = Tree()
    m_key_undeclared(t)
    found = check_rule(t, RULE)
    assert found, "key-schema did not fire"
    assert found[0].loc.file == f"{CLAIM}/key.avsc" and found[0].message and found[0].hint
