"""Claimed owners (eventbus.ownership.approvals.claims): the teams a change reaches that CODEOWNERS
at the base cannot ask for, here those an adoption record or a successor link reaches."""
from __future__ import annotations

import copy

from eventbus.load.registry import load_registry
from eventbus.ownership.approvals import claims
from tests.conftest import Tree
from tests.gate.rules.adoption_fixture import record

READ_REFILL = {"resource_type": "Topic", "name": "health_refill_requested", "operation": "Read"}


def registry(t: Tree):
    fs = t.fs()
    return load_registry(fs.root, fs=fs).registry


def claimed(base: Tree, head: Tree) -> dict[str, str]:
    return {c.team: c.reason for c in claims(registry(base), registry(head))}


def adopted() -> Tree:
    t = Tree()
    t.adoptions["prod"] = record()
    return t


def test_an_unchanged_record_claims_nobody():
    assert claimed(adopted(), adopted()) == {}


def test_a_kept_binding_on_a_restricted_event_needs_its_owner():
    # the platform's file could otherwise grant pharmacy's PHI topic to claims-publisher
    head = adopted()
    head.adoptions["prod"]["applications"]["claims-team/claims-publisher"] = {"kept_acls": [READ_REFILL]}
    got = claimed(adopted(), head)
    assert set(got) == {"pharmacy"}  # its identity stays the derived one
    assert "keeps Read on health_refill_requested (health/refill_requested) for claims-team/claims-publisher" in got["pharmacy"]
    head.adoptions["prod"]["applications"]["claims-team/claims-publisher"]["kafka_user"] = "claims-pub"
    assert "changes the identity claims-team/claims-publisher" in claimed(adopted(), head)["claims-team"]


def test_wildcards_and_prefixes_reach_every_owner_they_cover():
    head = adopted()
    acls = [{"resource_type": "Topic", "name": "*", "operation": "Write"}, {"resource_type": "Group", "name": "pharm", "pattern": "Prefixed", "operation": "Read"}]
    head.adoptions["prod"]["applications"]["notify/notifier"]["kept_acls"] = acls
    got = claimed(adopted(), head)
    assert "Write on claims_claim_created" in got["claims-team"] and "Write on health_refill_requested" in got["pharmacy"]
    assert "group pharm (team pharmacy's space)" in got["pharmacy"]
    assert "notify" not in got  # its identity is as it was; more access for itself is the owners' to approve


def test_a_kept_cluster_binding_beyond_describing_needs_every_event_owner():
    # Alter on the cluster manages ACLs: notify/notifier could grant itself any topic, restricted ones included
    head = adopted()
    head.adoptions["prod"]["applications"]["notify/notifier"]["kept_acls"] = [{"resource_type": "Cluster", "name": "kafka-cluster", "operation": "Alter"}]
    got = claimed(adopted(), head)
    assert set(got) == {"claims-team", "pharmacy"}
    assert "keeps Alter on the cluster for notify/notifier" in got["pharmacy"]
    head.adoptions["prod"]["applications"]["notify/notifier"]["kept_acls"] = [{"resource_type": "Cluster", "name": "kafka-cluster", "operation": "IdempotentWrite"}]
    assert claimed(adopted(), head) == {}


def test_reading_an_open_event_is_like_subscribing_to_it():
    head = adopted()
    head.adoptions["prod"]["applications"]["notify/notifier"]["kept_acls"] = [{"resource_type": "Topic", "name": "claims_claim_created", "operation": "Read"},
                                                                             {"resource_type": "Topic", "name": "claims_claim_created", "operation": "Read", "permission": "Deny"}]
    assert claimed(adopted(), head) == {}


def test_a_legacy_identity_is_the_applications_team_to_approve():
    # re-pointing notify/notifier's grants (PHI reads included) to another principal
    head = adopted()
    head.adoptions["prod"]["applications"]["notify/notifier"]["kafka_user"] = "someone-else"
    assert "changes the identity notify/notifier has on stack prod" in claimed(adopted(), head)["notify"]
    base = adopted()
    base.adoptions["prod"]["applications"]["notify/notifier"]["credential"] = "keep"
    gone = adopted()
    del gone.adoptions["prod"]["applications"]["notify/notifier"]
    assert set(claimed(base, gone)) == {"notify"}


def test_deleting_the_record_changes_every_identity_it_held():
    # removing one application's entry claims its team; removing the whole file must as well
    got = claimed(adopted(), Tree())
    assert got == {"notify": "adopt/prod.yaml changes the identity notify/notifier has on stack prod"}


def test_a_successor_of_another_team_needs_that_team():
    base = Tree()
    head = copy.deepcopy(base)
    head.events["claims/claim_created"]["meta"].update(lifecycle="deprecated", deprecated_on="2026-11-01", removal_date="2027-06-01",
                                                        replaced_by="health/refill_requested")
    assert claimed(base, head) == {"pharmacy": "claims/claim_created names health/refill_requested as its successor"}
    assert claimed(head, head) == {}


def test_the_base_read_from_git_has_the_adoption_records(tmp_path):
    # the base of a pull request comes from git (adapters.git.tree_at): a record it left out would
    # look new in every pull request, claiming every team it names
    from eventbus.adapters.git import tree_at

    t = adopted()
    t.root = tmp_path
    t.write()
    base = t.commit("adopted")
    fs = tree_at(str(tmp_path), base)
    assert claims(load_registry(fs.root, fs=fs).registry, registry(t)) == []


def test_a_kept_transactional_id_in_another_teams_space_needs_that_team():
    # Write on another team's transactional id lets an application fence that team's producer
    head = adopted()
    head.adoptions["prod"]["applications"]["notify/notifier"]["kept_acls"] = [
        {"resource_type": "TransactionalId", "name": "pharmacy.", "pattern": "Prefixed", "operation": "Write"},
        {"resource_type": "TransactionalId", "name": "notify.notifier-tx", "operation": "Write"}]
    got = claimed(adopted(), head)
    assert set(got) == {"pharmacy"}
    assert "keeps Write on transactional id pharmacy. (team pharmacy's space) for notify/notifier" in got["pharmacy"]
