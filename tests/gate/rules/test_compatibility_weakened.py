"""`compatibility-weakened`: an event with merged versions never weakens its compatibility mode."""
import pytest

from tests.conftest import Tree, check_rule, line_of

RULE = "compatibility-weakened"
CLAIM = "events/claims/claim_created/event.yaml"


def _with_mode(mode: str) -> Tree:
    t = Tree()
    t.events["claims/claim_created"]["meta"]["schema"]["compatibility"] = mode
    return t


@pytest.mark.parametrize("old,new", [("BACKWARD", "NONE"), ("BACKWARD_TRANSITIVE", "BACKWARD"), ("FULL", "FORWARD"),
                                     ("FULL_TRANSITIVE", "FULL"), ("FORWARD", "BACKWARD")])
def test_weakening_is_refused(old, new):
    found = check_rule(_with_mode(new), RULE, base=_with_mode(old))
    assert len(found) == 1 and f"from {old} to {new}" in found[0].message
    assert found[0].loc.line == line_of(_with_mode(new), CLAIM, "compatibility:")


@pytest.mark.parametrize("old,new", [("BACKWARD", "BACKWARD_TRANSITIVE"), ("BACKWARD", "FULL"), ("FORWARD", "FULL_TRANSITIVE"), ("NONE", "BACKWARD")])
def test_a_stricter_mode_is_allowed(old, new):
    assert check_rule(_with_mode(new), RULE, base=_with_mode(old)) == []


def test_a_new_event_may_choose_any_mode():
    base = Tree()
    del base.events["claims/claim_created"]
    assert check_rule(_with_mode("NONE"), RULE, base=base) == []
