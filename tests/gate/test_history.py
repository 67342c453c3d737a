"""History through git: the base ref read from a real repository (in memory), and the whole gate against it.
Each history rule's own cases are in tests/gate/rules/."""
from __future__ import annotations

import json

from tests.conftest import V2, field, rule_findings, run_gate


def _base(tree):
    return tree.commit("base")


def test_clean_change_passes_with_base(tree):
    base = _base(tree)
    tree.events["claims/claim_created"]["meta"]["topic"]["partitions"] = 6
    tree.write()
    tree.commit("raise partitions")
    assert run_gate(tree.root, base).findings == []


def test_new_version_checked_only_when_new(tree):
    # v2 is incompatible but already merged: with --base it is not re-judged; a new v3 is
    bad = json.loads(json.dumps(V2))
    bad["fields"].append(field("mandatory", "string"))
    tree.events["claims/claim_created"]["versions"][1] = bad
    tree.write()
    base = _base(tree)
    assert rule_findings(tree.root, "schema-compat", base) == []
    assert rule_findings(tree.root, "schema-compat") != []  # a full audit still sees it
    v3 = json.loads(json.dumps(bad))
    v3["fields"].append(field("another", "int"))
    tree.events["claims/claim_created"]["versions"].append(v3)
    tree.events["claims/claim_created"]["examples"]["one.json"].update(mandatory="x", another=1)
    tree.write()
    found = rule_findings(tree.root, "schema-compat", base)
    assert len(found) == 1 and found[0].loc.file.endswith("v3.avsc") and "another" in found[0].message


def test_retired_event_may_be_removed(tree):
    tree.events["claims/claim_created"]["meta"].update(lifecycle="retired", deprecated_on="2026-01-01", removal_date="2026-07-15")
    tree.consumers["notify/notifier"]["subscriptions"].pop(0)
    tree.consumers["notify/notifier"]["principals"].pop("sandbox")
    tree.write()
    assert run_gate(tree.root).findings == []
    base = _base(tree)
    del tree.events["claims/claim_created"]
    tree.write()
    assert run_gate(tree.root, base).findings == []


def _move_claim_created(tree):
    """claims/claim_created moved to claims/claim_opened, keeping its topic (event-removal lets it through)."""
    ev = tree.events.pop("claims/claim_created")
    ev["meta"]["topic"]["name"] = "claims_claim_created"
    tree.events["claims/claim_opened"] = ev
    for s in tree.consumers["notify/notifier"]["subscriptions"]:
        if s["event"] == "claims/claim_created":
            s["event"] = "claims/claim_opened"
    return ev


def test_a_moved_event_keeping_its_topic_passes(tree):
    base = _base(tree)
    _move_claim_created(tree)
    tree.write()
    tree.commit("move")
    assert run_gate(tree.root, base).findings == []


def test_a_moved_event_keeps_its_history(tree):
    # moving the folder must not make the merged versions, key, partitions and mode new again
    base = _base(tree)
    ev = _move_claim_created(tree)
    v1 = json.loads(json.dumps(ev["versions"][0]))
    v1["doc"] = "Rewritten."
    ev["versions"][0] = v1
    ev["key"] = {"type": "long", "doc": "Claim id as a number."}
    ev["meta"]["topic"]["partitions"] = 1
    ev["meta"]["schema"]["compatibility"] = "NONE"
    tree.write()
    tree.commit("move and rewrite")
    found = {(f.rule, f.loc.file) for f in run_gate(tree.root, base).findings if f.severity.name == "ERROR"}
    assert found == {
        ("version-immutable", "events/claims/claim_opened/v1.avsc"),
        ("version-immutable", "events/claims/claim_opened/key.avsc"),
        ("partitions-grow", "events/claims/claim_opened/event.yaml"),
        ("compatibility-weakened", "events/claims/claim_opened/event.yaml"),
    }, found


def test_unknown_base_ref_is_a_usage_error(tree):
    from eventbus.cli.main import main

    _base(tree)
    assert main(["--root", str(tree.root), "validate", "--base", "no-such-branch"]) == 2
    assert main(["--root", str(tree.root), "validate", "--base", "--upload-pack=evil"]) == 2


def test_base_is_read_from_git_in_memory_and_links_are_refused(tree, tmp_path_factory):
    import os

    from eventbus.adapters.git import tree_at
    from eventbus.load.registry import load_registry

    outside = tmp_path_factory.mktemp("outside") / "secret.yaml"
    outside.write_text("application: stolen\n")
    os.symlink(outside, tree.root / "consumers/notify/stolen.yaml")
    os.symlink("notifier.yaml", tree.root / "consumers/notify/alias.yaml")  # a link that stays inside
    base = tree.commit("with links")
    fs = tree_at(str(tree.root), base)
    loaded = load_registry(fs.root, fs=fs)
    rules = {(f.rule, f.loc.file) for f in loaded.findings}
    assert ("file-symlink", "consumers/notify/stolen.yaml") in rules
    # a link that stays inside is refused too: reviews and CODEOWNERS see the link, not its target
    assert any(f.loc.file == "consumers/notify/alias.yaml" and f.rule == "file-symlink" and "must be real" in f.message for f in loaded.findings)
    assert {c.ref for c in loaded.registry.consumers} >= {"notify/notifier"}
    assert not (tree.root / ".git" / "eventbus-base").exists()  # nothing written


def _v3_dropping_required(tree):
    v3 = json.loads(json.dumps(V2))
    v3["fields"] = [f for f in v3["fields"] if f["name"] != "status"]
    tree.events["claims/claim_created"]["versions"].append(v3)
    tree.events["claims/claim_created"]["examples"]["one.json"] = {"claimId": 1, "note": None}


def test_weakening_the_mode_with_a_breaking_version_is_refused(tree):
    # the attack: BACKWARD -> NONE and a v3 that drops a field readers need, in one pull request
    base = _base(tree)
    tree.events["claims/claim_created"]["meta"]["schema"]["compatibility"] = "NONE"
    _v3_dropping_required(tree)
    tree.write()
    found = rule_findings(tree.root, "compatibility-weakened", base)
    assert len(found) == 1 and found[0].loc.file == "events/claims/claim_created/event.yaml"
    assert "BACKWARD to NONE" in found[0].message
    assert not run_gate(tree.root, base).ok
