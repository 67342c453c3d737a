"""What a deploy must touch: the events and applications whose specs differ between two desired states."""
from __future__ import annotations

import copy

from eventbus.desired import compute
from eventbus.load.registry import load_registry
from eventbus.plan.changes import changes
from tests.conftest import ARN, V2, Tree, field, record


def desired(tree: Tree, stack: str = "prod"):
    fs = tree.fs()
    registry = load_registry(fs.root, fs=fs).registry
    return compute(registry, next(s for s in registry.stacks if s.name == stack))


REGISTRY = {"kind": "confluent", "url": "https://schema-registry.example:8081"}


def _edited(edit=None) -> Tree:
    t = Tree()
    t.stacks["prod"]["config"]["eventbus:schemaRegistry"] = dict(REGISTRY)
    if edit is not None:
        edit(t)
    return t


def after(edit) -> tuple:
    return desired(_edited()), desired(_edited(edit))


def test_the_same_tree_changes_nothing():
    old, new = after(lambda t: None)
    assert changes(old, new).empty


def test_a_new_subscription_changes_only_that_application():
    def subscribe(t):
        t.consumers["claims-team/claims-publisher"]["subscriptions"] = [
            {"event": "claims/claim_created", "purpose": "Read back what it published.", "environments": ["prod"]}]
        t.consumers["claims-team/claims-publisher"]["consumer_group"] = {"name": "claims-team.claims-publisher"}

    ch = changes(*after(subscribe))
    assert ch.apps == {"claims-team/claims-publisher"} and ch.events == frozenset() and ch.stack_wide == ()


def test_topic_settings_and_schema_versions_change_only_their_event():
    def partitions(t):
        t.events["claims/claim_created"]["meta"]["topic"]["partitions"] = 6

    def new_version(t):
        t.events["claims/claim_created"]["versions"].append(record("ClaimCreated", V2["fields"] + [field("more", ["null", "long"], default=None)]))

    for edit in (partitions, new_version):
        ch = changes(*after(edit))
        assert ch.events == {"claims/claim_created"} and ch.apps == frozenset(), edit.__name__


def test_added_and_removed_components_are_changes():
    def add_event(t):
        t.events["claims/claim_closed"] = copy.deepcopy(t.events["claims/claim_created"])
        t.events["claims/claim_closed"]["meta"]["title"] = "Claim closed"

    ch = changes(*after(add_event))
    assert ch.events == {"claims/claim_closed"}
    assert ch.apps == {"claims-team/claims-publisher"}  # it now writes a second topic

    def remove_app(t):
        t.consumers["notify/dashboard"] = {
            "application": "dashboard", "team": "notify", "description": "Counts claims.", "principals": {"prod": [ARN.format("dash")]},
            "subscriptions": [{"event": "claims/claim_created", "purpose": "Count claims per day.", "environments": ["prod"]}],
            "compliance": {"vasi_id": "77", "fisma_level": "Low", "ato_status": "ATO"}}

    with_app, without = desired(_edited(remove_app)), desired(_edited())
    assert changes(with_app, without).apps == {"notify/dashboard"}
    assert changes(without, with_app).apps == {"notify/dashboard"}


def test_stack_wide_settings_are_reported_apart():
    def registry_url(t):
        t.stacks["prod"]["config"]["eventbus:schemaRegistry"] = {"kind": "confluent", "url": "https://other.example:8081"}

    ch = changes(*after(registry_url))
    assert ch.stack_wide == ("registry",)

