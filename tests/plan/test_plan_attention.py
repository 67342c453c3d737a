"""Needs attention lists every weakening of a protection, per stack, and nothing the tree says can
rewrite the plan's Markdown. Each case is an attack (the edit) and what must flag it."""
from __future__ import annotations

import json
import re

import pytest
from markdown_it import MarkdownIt

from eventbus.load.yaml import dump_yaml
from eventbus.plan import make_plan
from eventbus.plan.render import markdown
from tests.conftest import ARN, producer_app, rule_findings
from tests.desired.test_desired_state import AWS_PROD, AWS_SANDBOX

REFILL = "health/refill_requested"
CLAIM = "claims/claim_created"


@pytest.fixture
def repo(tree):
    tree.stacks = {"prod": AWS_PROD, "sandbox": AWS_SANDBOX}
    tree.write()
    tree.base = tree.commit("base")
    return tree


def _risks(repo, stack="prod"):
    plan = make_plan(str(repo.root), repo.base, [stack])
    return [(r.level, r.text) for r in plan.stacks[0].risks]


def weaken_mode(t):
    t.events[CLAIM]["meta"]["schema"]["compatibility"] = "NONE"


def lower_classification(t):
    t.events[REFILL]["meta"]["classification"]["data"] = "PII"


def open_access(t):
    t.events[REFILL]["meta"]["access"] = {"policy": "open"}


def keep_phi_forever(t):
    t.events[REFILL]["meta"]["topic"] = {"retention_days": -1}


def add_key(t):
    t.events[REFILL]["key"] = {"type": "string", "doc": "Prescription id."}
    t.events[REFILL]["meta"]["schema"] = {"key": "key.avsc"}


def change_key(t):
    t.events[CLAIM]["key"] = {"type": "long", "doc": "Claim id as a number."}


def remove_key(t):
    t.events[CLAIM].pop("key")
    t.events[CLAIM]["meta"]["schema"].pop("key")


def principal_on_phi_reader(t):
    t.consumers["notify/notifier"]["principals"]["prod"].append(ARN.format("someone-else"))


def principal_on_phi_writer(t):
    t.consumers["pharmacy/refill-api"]["principals"]["prod"].append(ARN.format("someone-else"))


def new_phi_writer(t):
    t.consumers["pharmacy/refill-batch"] = producer_app("pharmacy", "refill-batch", {"prod": [ARN.format("refill-batch")]})
    t.events[REFILL]["meta"]["producers"].append({"application": "refill-batch"})


def lower_min_isr(t):
    t.events[CLAIM]["meta"]["topic"]["min_insync_replicas"] = 1


CASES = {
    # edit: (level, text Needs attention must show)
    "compatibility BACKWARD -> NONE": (weaken_mode, "danger", "compatibility weakened from BACKWARD to NONE"),
    "PHI -> PII": (lower_classification, "sensitive", "classification lowered from **PHI** to **PII**"),
    "restricted -> open": (open_access, "sensitive", "access opened (restricted → open)"),
    "PHI kept forever": (keep_phi_forever, "sensitive", "retention set to forever on **PHI** data"),
    "key schema added": (add_key, "caution", "a key schema is added to an existing topic"),
    "key schema changed": (change_key, "danger", "the key schema changes"),
    "key schema removed": (remove_key, "caution", "`claims_claim_created-key`: the key schema is removed"),
    "new principal on a PHI reader": (principal_on_phi_reader, "sensitive", "role/someone-else` may now assume `eeb-prod.notify.notifier`, which reads or writes PII/PHI"),
    "new principal on a PHI writer": (principal_on_phi_writer, "sensitive", "role/someone-else` may now assume `eeb-prod.pharmacy.refill-api`"),
    "new writer of PHI": (new_phi_writer, "sensitive", "`pharmacy/refill-batch` gains write access to **PHI** on `health_refill_requested`"),
    "min ISR lowered": (lower_min_isr, "caution", "min.insync.replicas lowered 2 → 1"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_weakening_is_under_needs_attention(repo, case):
    edit, level, text = CASES[case]
    edit(repo)
    repo.write()
    risks = _risks(repo)
    assert any(lv == level and text in t for lv, t in risks), risks


def test_the_gate_refuses_the_mode_weakening_too(repo):
    weaken_mode(repo)
    repo.write()
    assert rule_findings(repo.root, "compatibility-weakened", repo.base)


def test_protection_turned_off_on_the_stack(repo):
    cfg = json.loads(json.dumps(AWS_PROD))
    cfg["config"]["eventbus:protect"] = False
    (repo.root / "Pulumi.prod.yaml").write_text(dump_yaml(cfg))
    risks = _risks(repo)
    assert any(lv == "danger" and "protection turned off" in t for lv, t in risks), risks


def test_every_mode_change_is_shown(repo):
    repo.events[CLAIM]["meta"]["schema"]["compatibility"] = "FULL_TRANSITIVE"  # stricter: no risk, still shown
    repo.write()
    plan = make_plan(str(repo.root), repo.base, ["prod"])
    lines = [line for e in plan.stacks[0].events for line in e.lines]
    assert "compatibility BACKWARD → FULL_TRANSITIVE" in lines
    assert not any("weakened" in r.text for r in plan.stacks[0].risks)


HOSTILE = "x`y|z</details>@department-of-veterans-affairs/eeb-platform [link](https://evil.example) ![img](https://evil.example/i.png)"


def _outside_code(html: str) -> str:
    return re.sub(r"<code>.*?</code>", "", html, flags=re.S)


def test_tree_text_cannot_break_out_of_the_plan_markdown(repo):
    # a hostile folder name for a team and an application: the gate refuses it, yet the plan
    # (which still shows what it can) must render it as inert text
    bad = repo.root / "consumers" / HOSTILE.replace("/", "_")
    bad.mkdir()
    doc = producer_app("notify", "notifier", {"prod": [ARN.format("x")]})
    doc["subscriptions"] = [{"event": CLAIM, "purpose": "Hostile purpose text here.", "environments": ["prod"]}]
    (bad / (HOSTILE.replace("/", "_") + ".yaml")).write_text(dump_yaml(doc))
    text = markdown(make_plan(str(repo.root), repo.base, ["prod"]))
    assert HOSTILE.replace("/", "_").replace("|", "\\|") in text  # shown, escaped
    html = MarkdownIt("commonmark").enable("table").render(text)
    outside = _outside_code(html)
    assert "<a " not in html and "<img" not in html
    assert "@department-of-veterans-affairs" not in outside
    assert html.count("<details>") == html.count("</details>")
    for row in [line for line in text.splitlines() if line.startswith("|")]:
        cells = re.split(r"(?<!\\)\|", row)
        assert len(cells) in (4, 5), row  # the 3 columns of each table, never more
