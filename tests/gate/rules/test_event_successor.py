"""`event-successor`: replaced_by names an existing, live event; an optional replaces names an event that names it back."""
import copy

from tests.conftest import Tree, check_rule, line_of

RULE = "event-successor"
OLD = "claims/claim_created"
NEW = "claims/claim_created_v2"


def successor(t: Tree, back: str | None = OLD, deprecate: bool = True) -> None:
    old = t.events[OLD]
    new = copy.deepcopy(old)
    if back:
        new["meta"]["replaces"] = back
    t.events[NEW] = new
    old["meta"]["replaced_by"] = NEW
    if deprecate:
        old["meta"].update(lifecycle="deprecated", deprecated_on="2026-11-01", removal_date="2027-06-01")


def test_the_fixture_passes():
    assert check_rule(Tree(), RULE) == []


def test_both_ways_pass_and_replaces_is_optional():
    t = Tree()
    successor(t)
    assert check_rule(t, RULE) == []
    t = Tree()
    successor(t, back=None)
    assert check_rule(t, RULE) == []


def test_replaces_must_be_named_back():
    t = Tree()
    successor(t, back="health/refill_requested")
    found = check_rule(t, RULE)
    assert len(found) == 1 and found[0].loc.file == f"events/{NEW}/event.yaml"
    assert found[0].loc.line == line_of(t, f"events/{NEW}/event.yaml", "replaces:")
    assert found[0].message == f"{NEW} says replaces: health/refill_requested, but health/refill_requested does not name it under replaced_by"


def test_a_missing_target_a_self_reference_and_a_retired_successor():
    t = Tree()
    t.events[OLD]["meta"].update(lifecycle="deprecated", deprecated_on="2026-11-01", removal_date="2027-06-01", replaced_by="claims/nothing")
    t.events["health/refill_requested"]["meta"]["replaces"] = "health/refill_requested"
    assert sorted(f.message for f in check_rule(t, RULE)) == [
        "health/refill_requested names itself under replaces", "replaced_by: claims/nothing is not an event (events/claims/nothing/event.yaml)"]
    t = Tree()
    successor(t)
    t.events[NEW]["meta"].update(lifecycle="retired", deprecated_on="2026-01-01", removal_date="2026-08-01")
    assert [f.message for f in check_rule(t, RULE)] == [f"{OLD} is replaced by {NEW}, which is retired"]


def test_an_event_with_a_successor_is_deprecated_and_no_circle():
    t = Tree()
    successor(t, deprecate=False)
    found = check_rule(t, RULE)
    assert len(found) == 1 and found[0].loc.line == line_of(t, f"events/{OLD}/event.yaml", "lifecycle:")
    assert "is production" in found[0].message
    t = Tree()
    successor(t, back=None)
    t.events[NEW]["meta"].update(lifecycle="deprecated", deprecated_on="2026-11-01", removal_date="2027-06-01", replaced_by=OLD)
    assert sorted(f.message.split(":")[0] for f in check_rule(t, RULE)) == ["replaced_by goes round in a circle"] * 2
