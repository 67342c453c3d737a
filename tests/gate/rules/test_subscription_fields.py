"""`subscription-fields`: every field a subscription declares under `fields:` exists in the event's latest version."""
import json

from tests.conftest import V2, Tree, check_rule, field, line_of, record

RULE = "subscription-fields"
NOTIFIER = "consumers/notify/notifier.yaml"


def declare(t: Tree, *paths: str, sub: int = 0) -> None:
    t.consumers["notify/notifier"]["subscriptions"][sub]["fields"] = list(paths)


def with_ctx(t: Tree) -> None:
    """v3 of claim_created: a union field whose record branch holds an array of records."""
    v = json.loads(json.dumps(V2))
    item = record("Item", [field("code", "string"), field("value", "string")])
    v["fields"].append(field("ctx", ["null", record("Ctx", [field("items", {"type": "array", "items": item}, default=[])])], default=None))
    t.events["claims/claim_created"]["versions"].append(v)


def test_the_fixture_passes():
    assert check_rule(Tree(), RULE) == []


def test_declared_paths_through_unions_and_arrays_pass():
    t = Tree()
    with_ctx(t)
    declare(t, "claimId", "ctx", "ctx.items", "ctx.items.value")
    declare(t, "icn", sub=1)
    assert check_rule(t, RULE) == []


def test_an_unknown_path_is_an_error_at_its_line_with_a_suggestion():
    t = Tree()
    with_ctx(t)
    declare(t, "claimId", "ctx.items.valeu")
    found = check_rule(t, RULE)
    assert len(found) == 1 and found[0].loc.file == NOTIFIER
    assert found[0].loc.line == line_of(t, NOTIFIER, "- ctx.items.valeu")
    assert found[0].message == "claims/claim_created v3 has no field 'ctx.items.valeu'" and "'ctx.items.value'" in found[0].hint


def test_a_path_a_later_version_removed_names_that_version():
    t = Tree()
    v3 = json.loads(json.dumps(V2))
    v3["fields"] = [f for f in v3["fields"] if f["name"] != "note"]
    t.events["claims/claim_created"]["versions"].append(v3)
    t.events["claims/claim_created"]["examples"]["one.json"].pop("note")
    declare(t, "note")
    found = check_rule(t, RULE)
    assert [f.message for f in found] == ["claims/claim_created v3 removes field 'note', which this subscription reads"]
    assert "claims-team" in found[0].hint
