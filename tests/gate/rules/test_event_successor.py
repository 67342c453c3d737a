"""`event-successor`: a deprecated event and its successor name each other (replaced_by / replaces)."""
import copy

from tests.conftest import Tree, check_rule, line_of

RULE = "event-successor"
OLD = "claims/claim_created"
NEW = "claims/claim_created_v2"


def successor(t: Tree, back: bool = True, deprecate: bool = True) -> None:
    old = t.events[OLD]
    new = copy.deepcopy(old)
    if back:
        new["meta"]["replaces"] = OLD
    t.events[NEW] = new
    old["meta"]["replaced_by"] = NEW
    if deprecate:
        old["meta"].update(lifecycle="deprecated", deprecated_on="2026-11-01", removal_date="2027-06-01")


def test_the_fixture_passes():
    assert check_rule(Tree(), RULE) == []


def test_both_ways_pass():
    t = Tree()
    successor(t)
    assert check_rule(t, RULE) == []


def test_the_successor_must_name_its_predecessor():
    t = Tree()
    successor(t, back=False)
    found = check_rule(t, RULE)
    assert len(found) == 1 and found[0].loc.file == f"events/{OLD}/event.yaml"
    assert found[0].loc.line == line_of(t, f"events/{OLD}/event.yaml", "replaced_by:")
    assert found[0].message == f"{OLD} says replaced_by: {NEW}, but {NEW} does not name it under replaces"
    assert found[0].hint == f"add replaces: {OLD} to events/{NEW}/event.yaml"


def test_a_missing_target_and_a_self_reference():
    t = Tree()
    t.events[OLD]["meta"].update(lifecycle="deprecated", deprecated_on="2026-11-01", removal_date="2027-06-01", replaced_by="claims/nothing")
    t.events["health/refill_requested"]["meta"]["replaces"] = "health/refill_requested"
    messages = sorted(f.message for f in check_rule(t, RULE))
    assert messages == ["health/refill_requested names itself under replaces", "replaced_by: claims/nothing is not an event (events/claims/nothing/event.yaml)"]


def test_an_event_with_a_successor_is_deprecated():
    t = Tree()
    successor(t, deprecate=False)
    found = check_rule(t, RULE)
    assert len(found) == 1 and found[0].loc.line == line_of(t, f"events/{OLD}/event.yaml", "lifecycle:")
    assert "is production" in found[0].message
