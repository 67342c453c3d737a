"""`eventbus plan` on temporary git repositories, compared with golden outputs."""
from __future__ import annotations

import dataclasses
import json
import os
import shutil

import pytest

from eventbus.cli.main import main
from eventbus.plan import make_plan
from eventbus.plan.render import as_json, markdown
from tests.conftest import ARN, REPO, field, record
from tests.desired.test_desired_state import AWS_PROD, AWS_SANDBOX

GOLDEN = REPO / "tests" / "golden"


def dashboard(**subscription) -> dict:
    """A second consumer of claims/claim_created in prod (``subscription``: more keys of its subscription)."""
    return {
        "application": "dashboard", "team": "claims-team", "description": "Claim counts dashboard.",
        "principals": {"prod": [ARN.format("dashboard")]},
        "subscriptions": [{"event": "claims/claim_created", "purpose": "Count claims per day.", "environments": ["prod"], **subscription}],
        "compliance": {"vasi_id": "77", "fisma_level": "Low", "ato_status": "ATO"},
    }


def golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") or not path.exists():
        path.write_text(text)
    assert text == path.read_text(), f"plan output changed; if intended, re-run with UPDATE_GOLDEN=1 and review {path}"


@pytest.fixture
def repo(tree):
    tree.stacks = {"prod": AWS_PROD, "sandbox": AWS_SANDBOX}
    # a second consumer that the branch deletes
    tree.consumers["claims-team/dashboard"] = dashboard()
    tree.write()
    tree.base = tree.commit("base")
    return tree


def branch_changes(t):
    # 1. a new event
    t.events["claims/claim_closed"] = {
        "meta": {"title": "Claim closed", "summary": "A claim was closed with a decision.", "owner": "claims-team", "domain": "claims",
                 "lifecycle": "development", "classification": {"data": "none"},
                 "producers": [{"application": "claims-publisher"}],
                 "topic": {"partitions": 6}},
        "versions": [record("ClaimClosed", [field("claimId", "long")])],
        "examples": {"a.json": {"claimId": 5}},
    }
    # 2. a subscription to a PHI (restricted) event, approved by its owners
    t.consumers["claims-team/dashboard"]  # (deleted below)
    t.consumers["notify/notifier"]["subscriptions"].append(
        {"event": "claims/claim_closed", "purpose": "Tell the Veteran the claim closed.", "environments": ["prod"]})
    t.consumers["pharmacy/refill-watch"] = {
        "application": "refill-watch", "team": "pharmacy", "description": "Watches refill volumes.",
        "principals": {"prod": [ARN.format("refill-watch")]},
        "subscriptions": [{"event": "health/refill_requested", "purpose": "Spot refill backlogs per station.", "environments": ["prod"]}],
        "compliance": {"vasi_id": "88", "fisma_level": "Moderate", "ato_status": "ATO", "data_sharing_agreement": "DSA-9",
                       "obi_approvals": [{"event": "health/refill_requested", "reference": "OBI-9", "environments": ["prod"]}]},
    }
    t.events["health/refill_requested"]["meta"]["access"]["allowed_consumers"].append("pharmacy/refill-watch")
    # 3. more partitions on a keyed topic
    t.events["claims/claim_created"]["meta"]["topic"]["partitions"] = 6
    # 4. a consumer deleted
    del t.consumers["claims-team/dashboard"]
    (t.root / "consumers" / "claims-team" / "dashboard.yaml").unlink()
    t.write()
    t.commit("branch")


def test_plan_markdown_golden(repo):
    branch_changes(repo)
    plan = make_plan(str(repo.root), repo.base)
    text = markdown(plan).replace(repo.base, "BASE").replace(repo.base[:10], "BASE")
    golden("plan_branch.md", text)
    first = text.split("| stack |")[0]
    # who gains access to what is in the first lines, PHI flagged
    assert "`pharmacy/refill-watch` gains read access to **PHI** on `health_refill_requested`" in first
    assert "per-key ordering" in first  # keyed topic got more partitions
    assert [s.stack for s in plan.stacks] == ["prod", "sandbox"]  # deployed stacks only


def test_plan_json_is_structured(repo):
    branch_changes(repo)
    doc = json.loads(as_json(make_plan(str(repo.root), repo.base, ["prod"])))
    prod = doc["stacks"][0]
    assert prod["counts"]["topics_added"] == 1 and prod["counts"]["topics_changed"] == 1
    removed = [a for a in prod["apps"] if a["ref"] == "claims-team/dashboard"][0]
    assert removed["status"] == "removed" and "Read on topic `claims_claim_created` (`claims/claim_created`)" in removed["revoked"]
    assert any("kafka-cluster:ReadData" in s and "claims_claim_created" in s for s in removed["iam_removed"])
    assert any("kafka-cluster:ReadData" in s for a in prod["apps"] if a["ref"] == "pharmacy/refill-watch" for s in a["iam_added"])


def test_no_change_plan_is_quiet(repo):
    text = markdown(make_plan(str(repo.root), repo.base))
    assert "No infrastructure changes." in text and "Needs attention" not in text


def test_a_local_stack_is_not_called_by_the_environment_it_mirrors(repo):
    plan = make_plan(str(repo.root), repo.base, ["prod"])
    plan.stacks[0] = dataclasses.replace(plan.stacks[0], stack="local", target="local")
    row = next(line for line in markdown(plan).splitlines() if line.startswith("| `local` |"))
    assert row.split("|")[2].strip() == "this machine (synthetic data, mirrors prod; not prod)"
    assert "| `prod` | prod (aws) |" in markdown(make_plan(str(repo.root), repo.base, ["prod"]))


def test_removing_an_event_is_flagged_first(repo):
    del repo.events["claims/claim_created"]
    shutil.rmtree(repo.root / "events/claims/claim_created")
    repo.consumers["notify/notifier"]["subscriptions"].pop(0)
    del repo.consumers["claims-team/dashboard"]
    repo.consumers["notify/notifier"]["principals"].pop("sandbox")
    shutil.rmtree(repo.root / "consumers" / "claims-team")
    repo.write()
    text = markdown(make_plan(str(repo.root), repo.base, ["prod"]))
    attention = text.split("### Needs attention")[1].split("|")[0]
    assert attention.strip().startswith("- 🛑 `prod` · topic `claims_claim_created` would be removed; it is protected")


def test_cli_plan_errors(repo, capsys):
    assert main(["--root", str(repo.root), "plan", "--base", "nope"]) == 2
    assert main(["--root", str(repo.root), "plan", "--base", repo.base, "--stack", "staging"]) == 1
    assert "Pulumi.staging.yaml" in capsys.readouterr().err
    assert main(["--root", str(repo.root), "plan", "--base", repo.base, "--format", "json"]) == 0
