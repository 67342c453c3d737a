"""The plan, field by field: a new version's change names the readers it breaks on each stack, a new
reader of PII/PHI shows which classified fields it reads (or least data), an existing reader that
now reads classified fields is flagged. Tree values stay quoted."""
from __future__ import annotations

import copy

import pytest
from markdown_it import MarkdownIt

from eventbus.plan import make_plan
from eventbus.plan.render import markdown
from tests.conftest import ARN, V2, field, producer_app
from tests.desired.test_desired_state import AWS_PROD, AWS_SANDBOX
from tests.plan.test_plan import dashboard

REFILL = "health/refill_requested"
CLAIM = "claims/claim_created"


@pytest.fixture
def repo(tree):
    tree.stacks = {"prod": AWS_PROD, "sandbox": AWS_SANDBOX}
    tree.consumers["claims-team/dashboard"] = dashboard(fields=["claimId"])
    tree.write()
    tree.base = tree.commit("base")
    return tree


def risks(repo, stack="prod"):
    plan = make_plan(str(repo.root), repo.base, [stack])
    return [(r.level, r.text) for r in plan.stacks[0].risks], plan


def new_refill_reader(t, fields):
    doc = producer_app("pharmacy", "refill-watch", {"prod": [ARN.format("refill-watch")]})
    doc["subscriptions"] = [{"event": REFILL, "purpose": "Spot refill backlogs per station.", "environments": ["prod"], "fields": fields}]
    doc["compliance"].update(data_sharing_agreement="DSA-9", obi_approvals=[{"event": REFILL, "reference": "OBI-9", "environments": ["prod"]}])
    t.consumers["pharmacy/refill-watch"] = doc
    t.events[REFILL]["meta"]["access"]["allowed_consumers"].append("pharmacy/refill-watch")


def test_a_removed_field_names_its_readers_on_the_stack(repo):
    v3 = copy.deepcopy(V2)
    v3["fields"] = [f for f in v3["fields"] if f["name"] != "note"]
    repo.events[CLAIM]["versions"].append(v3)
    repo.events[CLAIM]["examples"]["one.json"].pop("note")
    repo.write()
    found, plan = risks(repo)
    danger = [t for lv, t in found if lv == "danger"]
    assert danger == ["`claims_claim_created`: v3 removes field `note` (`null or string`), which `notify/notifier` (owner `notify`, declares no fields) reads"]
    lines = next(e for e in plan.stacks[0].events if e.ref == CLAIM).lines
    assert "v3 removes field `note` (`null or string`)" in lines
    sandbox, _ = risks(repo, "sandbox")  # the dashboard reads only claimId, and only in prod; the notifier reads in the sandbox too
    assert [t for lv, t in sandbox if lv == "danger"] == [danger[0].replace("claims_claim_created", "claims_claim_created_sandbox")]


def test_a_retyped_field_names_its_declaring_reader_and_not_the_others(repo):
    v3 = copy.deepcopy(V2)
    v3["fields"][0]["type"] = "string"
    repo.events[CLAIM]["meta"]["schema"]["compatibility"] = "NONE"
    repo.events[CLAIM]["versions"].append(v3)
    repo.events[CLAIM]["examples"]["one.json"]["claimId"] = "1"
    repo.write()
    found, _ = risks(repo)
    text = next(t for lv, t in found if lv == "danger" and "claimId" in t)
    assert "`claims-team/dashboard` (owner `claims-team`)" in text and "`notify/notifier` (owner `notify`, declares no fields)" in text


def test_a_new_reader_declaring_only_unclassified_fields_is_least_data(repo):
    new_refill_reader(repo, ["rxId"])
    repo.write()
    found, _ = risks(repo)
    assert ("sensitive", "`pharmacy/refill-watch` gains read access to **PHI** on `health_refill_requested` (`health/refill_requested`); "
                         "least data: it declares only unclassified fields (`rxId`), none of the 1 classified ones") in found


def test_a_new_reader_shows_the_classified_fields_it_reads(repo):
    new_refill_reader(repo, ["rxId", "icn"])
    repo.write()
    found, _ = risks(repo)
    assert any(t.endswith("; of its classified fields it reads `icn` (PII)") for lv, t in found if lv == "sensitive"), found


def test_an_existing_reader_that_now_reads_classified_fields(repo):
    repo.consumers["notify/notifier"]["subscriptions"][1]["fields"] = ["rxId"]
    repo.write()
    repo.base = repo.commit("declare rxId only")
    repo.consumers["notify/notifier"]["subscriptions"][1]["fields"] = ["rxId", "icn"]
    repo.write()
    found, _ = risks(repo)
    assert ("sensitive", "`notify/notifier` now reads classified fields of `health_refill_requested` (`health/refill_requested`): "
                         "`icn` (PII)") in found


def test_a_version_that_classifies_a_field_shows_who_now_reads_it(repo):
    rx = copy.deepcopy(repo.events[REFILL]["versions"][0])
    rx["fields"][0]["classification"] = "PHI"
    repo.events[REFILL]["versions"].append(rx)
    repo.write()
    found, plan = risks(repo)
    assert ("sensitive", "`notify/notifier` now reads classified fields of `health_refill_requested` (`health/refill_requested`): "
                         "`rxId` (PHI)") in found
    assert not [t for lv, t in found if lv == "danger"]  # a classification change alone breaks no reader
    assert "v2 changes field `rxId` (`classification none → PHI`)" in next(e for e in plan.stacks[0].events if e.ref == REFILL).lines


def test_hostile_field_names_stay_quoted(repo):
    hostile = "x`y|z</details>@department-of-veterans-affairs/eeb-platform"
    v3 = copy.deepcopy(V2)
    v3["fields"].append(field(hostile, ["null", "string"], default=None))
    repo.events[CLAIM]["versions"].append(v3)
    v4 = copy.deepcopy(V2)
    repo.events[CLAIM]["versions"].append(v4)
    repo.write()
    text = markdown(make_plan(str(repo.root), repo.base, ["prod"]))
    html = MarkdownIt("commonmark").enable("table").render(text)
    assert "v4 removes field" in text and "</details>@" not in html.replace("&lt;/details&gt;@", "")
    assert html.count("<details>") == html.count("</details>")
