"""Nothing is lost: every way the tree could delete or recreate a topic is stopped by the gate or
flagged at the top of the plan before anything is deployed."""
from __future__ import annotations

import shutil

import pytest

from eventbus.plan import make_plan
from tests.conftest import rule_findings
from tests.desired.test_desired_state import AWS_PROD, AWS_SANDBOX


@pytest.fixture
def repo(tree):
    tree.stacks = {"prod": AWS_PROD, "sandbox": AWS_SANDBOX}
    tree.write()
    tree.base = tree.commit("base")
    return tree


def _move(tree, old, new):
    tree.events[new] = tree.events.pop(old)
    tree.events[new]["meta"]["domain"] = new.split("/")[0]
    for c in tree.consumers.values():
        for s in c.get("subscriptions", []):
            if s["event"] == old:
                s["event"] = new
    shutil.rmtree(tree.root / "events" / old)


def rename(t):
    _move(t, "claims/claim_created", "claims/claim_opened")


def change_domain(t):
    _move(t, "claims/claim_created", "benefits/claim_created")


def lower_partitions(t):
    t.events["claims/claim_created"]["meta"]["topic"]["partitions"] = 1


def remove_with_consumers(t):
    del t.events["claims/claim_created"]
    shutil.rmtree(t.root / "events/claims/claim_created")


def rename_topic(t):
    t.events["claims/claim_created"]["meta"]["topic"]["name"] = "claims_created"


def retire_too_soon(t):
    t.events["claims/claim_created"]["meta"].update(lifecycle="retired", deprecated_on="2026-11-01", removal_date="2027-06-01")


CASES = {
    # edit: (gate rule that must fire against the base, text the plan must put under "Needs attention")
    "rename the event folder": (rename, "event-removal", "topic `claims_claim_created` would be removed"),
    "move it to another domain": (change_domain, "event-removal", "topic `claims_claim_created` would be removed"),
    "lower partitions": (lower_partitions, "partitions-grow", "partitions cannot shrink"),
    "remove an event with consumers": (remove_with_consumers, "event-removal", "topic `claims_claim_created` would be removed"),
    "change topic.name": (rename_topic, "topic-rename", "topic `claims_claim_created` would be removed"),
    "retire before the removal date": (retire_too_soon, "retirement", "topic `claims_claim_created` would be removed"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_destructive_edit_is_caught(repo, case):
    edit, rule, attention = CASES[case]
    edit(repo)
    repo.write()
    assert rule_findings(repo.root, rule, repo.base), f"gate rule {rule} did not stop: {case}"
    plan = make_plan(str(repo.root), repo.base, ["prod"])
    risks = [r for r in plan.stacks[0].risks if r.level == "danger"]
    assert any(attention in r.text for r in risks), [r.text for r in plan.stacks[0].risks]
    # and prod topics are protected: even a merged mistake cannot delete the data
    assert "it is protected" in " ".join(r.text for r in risks) or "shrink" in attention


def test_cleanup_policy_change_is_flagged(repo):
    repo.events["claims/claim_created"]["meta"]["topic"]["cleanup_policy"] = "compact"
    repo.write()
    plan = make_plan(str(repo.root), repo.base, ["prod"])
    assert any("cleanup.policy delete → compact" in r.text for r in plan.stacks[0].risks)


def test_replication_change_is_flagged(repo):
    import json

    from eventbus.load.yaml import dump_yaml

    cfg = json.loads(json.dumps(AWS_PROD))
    cfg["config"]["eventbus:replicationFactor"] = 2
    (repo.root / "Pulumi.prod.yaml").write_text(dump_yaml(cfg))
    plan = make_plan(str(repo.root), repo.base, ["prod"])
    assert any("replication factor change" in r.text for r in plan.stacks[0].risks if r.level == "danger")


def test_retention_shortened_is_flagged(repo):
    repo.events["claims/claim_created"]["meta"]["topic"]["retention_days"] = 1
    repo.write()
    plan = make_plan(str(repo.root), repo.base, ["prod"])
    assert any("retention shortened from 7 days to 1 days" in r.text for r in plan.stacks[0].risks)
