"""`field-change`: a new version's change to a field names the consumers that read it, and their owners (against --base)."""
import json

from eventbus.model.findings import Severity
from tests.conftest import ARN, V2, Tree, check_rule, field, line_of, producer_app, record

RULE = "field-change"
CLAIM = "events/claims/claim_created"
OWNER = "notify, @example-org/notify"


def readers(t: Tree, **apps: list[str] | None) -> None:
    """Subscribers of claims/claim_created: notify/<name> declaring the given fields (None: none)."""
    del t.consumers["notify/notifier"]["subscriptions"][0]  # the fixture's subscriber declares no fields: replaced here
    for name, fields in apps.items():
        doc = producer_app("notify", name, {"prod": [ARN.format(name)]})
        sub = {"event": "claims/claim_created", "purpose": "Reads claims for the tests.", "environments": ["prod"]}
        if fields is not None:
            sub["fields"] = fields
        doc["subscriptions"] = [sub]
        t.consumers[f"notify/{name}"] = doc


def versions(t: Tree, *schemas: dict) -> None:
    t.events["claims/claim_created"]["versions"] += [json.loads(json.dumps(s)) for s in schemas]


def without(schema: dict, name: str) -> dict:
    return {**schema, "fields": [f for f in schema["fields"] if f["name"] != name]}


V3 = without(V2, "note")  # BACKWARD allows it: note had a default


def test_the_fixture_passes():
    assert check_rule(Tree(), RULE, base=Tree()) == []


def test_a_compatible_removal_warns_naming_its_readers_only():
    base = Tree()
    readers(base, **{"reads-note": ["note"], "reads-id": ["claimId"], "reads-all": None})
    t = Tree()
    readers(t, **{"reads-note": ["note"], "reads-id": ["claimId"], "reads-all": None})
    versions(t, V3)
    found = check_rule(t, RULE, base=base)
    assert len(found) == 1 and found[0].severity is Severity.WARNING and found[0].loc == found[0].loc.__class__(f"{CLAIM}/v3.avsc", 1)
    msg = found[0].message
    assert msg.startswith("v3 removes field 'note' (null | string), which 2 consumers of claims/claim_created read: ")
    assert f"notify/reads-note (owner {OWNER}; declares it)" in msg
    assert f"notify/reads-all (owner {OWNER}; declares no fields, so reads every field)" in msg
    assert "reads-id" not in msg


def test_a_change_the_mode_refuses_is_an_error():
    t = Tree()
    readers(t, **{"reads-status": ["status"]})
    v3 = json.loads(json.dumps(V2))
    v3["fields"][1]["type"] = "string"  # enum -> string: a string reader cannot read an enum
    versions(t, v3)
    found = check_rule(t, RULE, base=Tree())
    assert len(found) == 1 and found[0].severity is Severity.ERROR
    assert found[0].loc.line == line_of(t, f"{CLAIM}/v3.avsc", '"name": "status"')
    assert "v3 changes the type of field 'status' (type enum Status → string)" in found[0].message and "--breaking" in found[0].hint


def test_several_new_versions_each_name_their_own_readers():
    t = Tree()
    readers(t, **{"reads-note": ["note"], "reads-status": ["status"], "reads-id": ["claimId"]})
    v4 = json.loads(json.dumps(V3))
    v4["fields"][1]["type"] = {**v4["fields"][1]["type"], "symbols": ["OPEN"], "default": "OPEN"}  # CLOSED dropped, with an enum default
    versions(t, V3, v4)
    found = {f.loc.file.rsplit("/", 1)[1]: f for f in check_rule(t, RULE, base=Tree())}
    assert set(found) == {"v3.avsc", "v4.avsc"}
    assert "'note'" in found["v3.avsc"].message and "reads-note" in found["v3.avsc"].message and "reads-status" not in found["v3.avsc"].message
    v4_msg = found["v4.avsc"].message
    assert v4_msg.startswith("v4 narrows field 'status' (enum symbols removed: CLOSED; enum default none → OPEN)"), v4_msg
    assert "reads-status" in v4_msg and "reads-note" not in v4_msg and "reads-id" not in v4_msg


def test_merged_versions_are_not_reported_again():
    base = Tree()
    readers(base, **{"reads-note": ["note"]})
    versions(base, V3)
    t = Tree()
    readers(t, **{"reads-note": ["note"]})
    versions(t, V3)
    assert check_rule(t, RULE, base=base) == []


def test_nested_fields_in_union_branches():
    ctx = record("Ctx", [field("who", "string"), field("why", ["null", "string"], default=None)])
    v3 = json.loads(json.dumps(V2))
    v3["fields"].append(field("ctx", ["null", ctx], default=None))
    v4 = json.loads(json.dumps(v3))
    v4["fields"][-1]["type"][1]["fields"].pop()  # ctx.why removed
    t = Tree()
    readers(t, **{"reads-why": ["ctx.why"], "reads-ctx": ["ctx"], "reads-who": ["ctx.who"]})
    t.consumers["notify/reads-why"]["subscriptions"][0]["fields"] = ["claimId"]  # at HEAD it no longer reads ctx.why
    versions(t, v3, v4)
    found = check_rule(t, RULE, base=Tree())
    assert len(found) == 1 and found[0].loc.line == line_of(t, f"{CLAIM}/v4.avsc", '"name": "ctx"')
    assert "v4 removes field 'ctx.why'" in found[0].message and "notify/reads-ctx" in found[0].message
    assert "reads-who" not in found[0].message and "reads-why" not in found[0].message


def test_a_classification_change_is_meaning_bearing():
    t = Tree()
    readers(t, **{"reads-note": ["note"]})
    v3 = json.loads(json.dumps(V2))
    v3["fields"][2]["classification"] = "none"  # explicit none: no change
    v4 = json.loads(json.dumps(V2))
    v4["fields"][2]["confluent:tags"] = ["PII"]
    versions(t, v3, v4)
    found = check_rule(t, RULE, base=Tree())
    assert [f.message.split(",")[0] for f in found] == ["v4 changes field 'note' (classification none → PII)"]
