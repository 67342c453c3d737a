"""`classification-lowered`: an event with merged versions never lowers its classification."""
import pytest

from tests.conftest import Tree, check_rule, line_of

RULE = "classification-lowered"
REFILL = "events/health/refill_requested/event.yaml"


def _as(data: str) -> Tree:
    t = Tree()
    t.events["health/refill_requested"]["meta"]["classification"]["data"] = data
    return t


@pytest.mark.parametrize("old,new", [("PHI", "PII"), ("PHI", "none"), ("PII", "none")])
def test_lowering_is_refused(old, new):
    found = check_rule(_as(new), RULE, base=_as(old))
    assert len(found) == 1 and f"lowered from {old} to {new}" in found[0].message
    assert found[0].loc.file == REFILL and found[0].loc.line == line_of(_as(new), REFILL, "data:")


@pytest.mark.parametrize("old,new", [("none", "PII"), ("PII", "PHI"), ("PHI", "PHI")])
def test_raising_or_keeping_it_is_allowed(old, new):
    assert check_rule(_as(new), RULE, base=_as(old)) == []


def test_a_new_event_may_choose_any_classification():
    base = Tree()
    del base.events["health/refill_requested"]
    assert check_rule(_as("none"), RULE, base=base) == []
