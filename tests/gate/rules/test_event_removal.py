"""`event-removal`: an event leaves the tree only once retired (its topic and data would go)."""
from tests.conftest import Tree, check_rule

RULE = "event-removal"


def _without_claim_created(t):
    del t.events["claims/claim_created"]
    t.consumers["notify/notifier"]["subscriptions"].pop(0)
    t.consumers["notify/notifier"]["principals"].pop("sandbox")


def test_an_unchanged_history_passes():
    assert check_rule(Tree(), RULE, base=Tree()) == []


def test_removing_an_event_with_consumers():
    t = Tree()
    _without_claim_created(t)
    found = check_rule(t, RULE, base=Tree())
    assert len(found) == 1 and "claims_claim_created" in found[0].message


def test_renaming_an_event_folder_is_a_removal():
    t = Tree()
    t.events["claims/claim_opened"] = t.events.pop("claims/claim_created")
    for s in t.consumers["notify/notifier"]["subscriptions"]:
        if s["event"] == "claims/claim_created":
            s["event"] = "claims/claim_opened"
    found = check_rule(t, RULE, base=Tree())
    assert found and "claims/claim_created" in found[0].message


def test_a_retired_event_may_be_removed():
    base = Tree()
    base.events["claims/claim_created"]["meta"].update(lifecycle="retired", deprecated_on="2026-01-01", removal_date="2026-07-15")
    t = Tree()
    _without_claim_created(t)
    assert check_rule(t, RULE, base=base) == []
