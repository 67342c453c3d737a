"""`adopt-schema-history`: the registry's versions of an adopted subject are the tree's v1..vN, unchanged."""
import json

from eventbus.model.adoption import fingerprint
from eventbus.model.findings import Severity
from tests.conftest import TODAY, Tree, check_rule, field
from tests.conftest import record as rec
from tests.gate.rules.adoption_fixture import record

RULE = "adopt-schema-history"
V1 = "events/claims/claim_created/v1.avsc"


def tree() -> Tree:
    t = Tree()
    t.adoptions["prod"] = record()
    return t


def test_the_same_schemas_pass_whatever_their_formatting():
    t = tree()
    assert check_rule(t, RULE) == []
    files = t.files()
    compact = json.dumps(json.loads(files[V1]), separators=(",", ":"))
    assert compact != files[V1]  # the test tree's files are indented: formatting is not what counts


def test_a_changed_version_is_an_error_on_its_file():
    t = tree()
    t.events["claims/claim_created"]["versions"][0]["fields"].append(field("extra", ["null", "string"], default=None))
    found = check_rule(t, RULE)
    assert [f.loc.file for f in found] == [V1] and "schema id 11" in found[0].message


def test_a_version_missing_from_the_tree():
    t = tree()
    t.events["claims/claim_created"]["versions"].pop()
    found = check_rule(t, RULE)
    assert len(found) == 1 and "has no v2.avsc" in found[0].message and "schema id 12" in found[0].hint


def test_more_versions_in_the_tree_are_new_versions():
    t = tree()
    v2 = t.events["claims/claim_created"]["versions"][1]
    t.events["claims/claim_created"]["versions"].append({**v2, "fields": v2["fields"] + [field("more", ["null", "long"], default=None)]})
    assert check_rule(t, RULE) == []


def test_a_key_schema_that_is_not_the_registrys():
    t = tree()
    t.events["claims/claim_created"]["key"] = {"type": "long", "doc": "Claim id."}
    found = check_rule(t, RULE)
    assert [f.loc.file for f in found] == ["events/claims/claim_created/key.avsc"]


def _gate(t: Tree):
    from eventbus.gate import check

    fs = t.fs()
    return check(fs.root, fs=fs, today=TODAY).findings


def test_recorded_versions_are_history_and_a_new_version_repeating_one_is_not():
    # v1 has 'region' without a default, v2 drops it (BACKWARD allows that), v3 repeats v1: its
    # incompatibility with v2 is an error, although its text is a version the registry holds (as v1)
    status = {"type": "enum", "name": "Status", "symbols": ["OPEN", "CLOSED"], "doc": "Status."}
    a = rec("ClaimCreated", [field("claimId", "long", doc=""), field("status", status), field("region", "string")])
    b = rec("ClaimCreated", [field("claimId", "long", doc=""), field("status", status)])
    t = Tree()
    t.events["claims/claim_created"]["versions"] = [a, b]
    t.events["claims/claim_created"]["examples"] = {"one.json": {"claimId": 1, "status": "OPEN", "region": "east"}}
    t.adoptions["prod"] = {"stack": "prod", "subjects": {"claims_claim_created-value": {"event": "claims/claim_created", "versions": [
        {"version": i, "id": 10 + i, "fingerprint": fingerprint(v)} for i, v in enumerate((a, b), 1)]}}}
    docs = [f for f in _gate(t) if f.rule == "avro-doc"]
    assert docs and all(f.severity is Severity.WARNING and "adopted as is" in f.message for f in docs)  # v1, v2: history
    t.events["claims/claim_created"]["versions"].append(json.loads(json.dumps(a)))
    found = {(f.loc.file.rsplit("/", 1)[-1], f.rule, f.severity) for f in _gate(t)}
    assert ("v3.avsc", "schema-compat", Severity.ERROR) in found and ("v3.avsc", "avro-doc", Severity.ERROR) in found
