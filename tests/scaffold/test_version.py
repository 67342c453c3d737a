"""`eventbus new version`: the next schema version, or a successor event with the old one deprecated
and a migration note; both leave a tree the gate passes, and nothing is overwritten."""
from __future__ import annotations

import datetime as dt

import pytest

from eventbus.cli.main import main
from eventbus.load.yaml import parse_yaml
from eventbus.model.findings import Severity
from eventbus.scaffold import ScaffoldError
from eventbus.scaffold.version import earliest_removal, new_successor, new_version, successor_name
from tests.conftest import TODAY, run_gate

CLAIM = "claims/claim_created"
REFILL = "health/refill_requested"


def errors(root, base=None):
    return [f.one_line() for f in run_gate(root, base).findings if f.severity is Severity.ERROR]


def test_next_version_is_a_copy_of_the_latest_and_passes(git_tree):
    (path,) = new_version(str(git_tree.root), CLAIM)
    assert path.endswith("events/claims/claim_created/v3.avsc")
    folder = git_tree.root / "events" / CLAIM
    assert (folder / "v3.avsc").read_text() == (folder / "v2.avsc").read_text()
    assert errors(git_tree.root, "HEAD") == []
    with pytest.raises(ScaffoldError, match="not an|there is no"):
        new_version(str(git_tree.root), "claims/nothing")


def test_breaking_scaffolds_a_successor_that_passes_the_gate(git_tree):
    root = str(git_tree.root)
    created, changed = new_successor(root, REFILL, TODAY)
    new = git_tree.root / "events/health/refill_requested_v2"
    assert sorted(p.replace(root + "/", "") for p in created) == [
        "events/health/refill_requested/MIGRATION.md", "events/health/refill_requested_v2/event.yaml",
        "events/health/refill_requested_v2/examples/one.json", "events/health/refill_requested_v2/v1.avsc"]
    old_meta = git_tree.root / "events" / REFILL / "event.yaml"
    assert changed == [str(old_meta)]
    old, _ = parse_yaml(old_meta.read_text())
    assert old["lifecycle"] == "deprecated" and old["deprecated_on"] == str(TODAY) and old["replaced_by"] == "health/refill_requested_v2"
    assert dt.date.fromisoformat(old["removal_date"]) >= TODAY + dt.timedelta(days=182)
    meta, _ = parse_yaml((new / "event.yaml").read_text())
    assert meta["replaces"] == REFILL and meta["lifecycle"] == "development" and meta["title"] == "Refill requested (v2)"
    assert meta["access"] == {"policy": "restricted", "allowed_consumers": ["notify/notifier"]} and meta["classification"]["data"] == "PHI"
    note = (git_tree.root / "events" / REFILL / "MIGRATION.md").read_text()
    assert "| `notify/notifier` | `notify` | `prod` | every field (declares no `fields:`) |" in note
    assert "Dual publishing" in note and "OBI approval" in note and old["removal_date"] in note
    # the gate passes (CODEOWNERS regenerated for the new folder, as the command says); the old
    # event's subscribers are warned towards the successor
    from tests.conftest import codeowners

    assert codeowners(git_tree.root).returncode == 0
    result = run_gate(git_tree.root, "HEAD")
    assert [f.one_line() for f in result.findings if f.severity is Severity.ERROR] == []
    warned = [f for f in result.findings if f.rule == "subscription-lifecycle"]
    assert warned and "its successor is health/refill_requested_v2" in warned[0].message


def test_breaking_refuses_to_overwrite_or_to_shorten_the_notice(tree):
    root = str(tree.root)
    with pytest.raises(ScaffoldError, match="six months"):
        new_successor(root, CLAIM, TODAY, removal=TODAY + dt.timedelta(days=30))
    (tree.root / "events/claims/claim_created_v2").mkdir()
    before = (tree.root / "events" / CLAIM / "event.yaml").read_text()
    with pytest.raises(ScaffoldError, match="already exists"):
        new_successor(root, CLAIM, TODAY)
    assert (tree.root / "events" / CLAIM / "event.yaml").read_text() == before
    assert not (tree.root / "events" / CLAIM / "MIGRATION.md").exists()
    created, _ = new_successor(root, CLAIM, TODAY, name="claim_opened")
    with pytest.raises(ScaffoldError, match="already deprecated"):
        new_successor(root, CLAIM, TODAY)


def test_names_and_dates():
    assert successor_name("claim_created") == "claim_created_v2" and successor_name("claim_created_v2") == "claim_created_v3"
    assert earliest_removal(dt.date(2026, 8, 31)) == dt.date(2027, 3, 1)  # six months would be 2027-02-28: 181 days
    assert earliest_removal(dt.date(2026, 1, 15)) == dt.date(2026, 7, 16)


def test_the_command(tree, capsys):
    root = str(tree.root)
    assert main(["--root", root, "new", "version", CLAIM]) == 0
    assert "created events/claims/claim_created/v3.avsc" in capsys.readouterr().out
    assert main(["--root", root, "new", "version", "nope"]) == 1
    assert "name the event as <domain>/<event>" in capsys.readouterr().err
    assert main(["--root", root, "new", "version", CLAIM, "--removal-date", "2030-01-01"]) == 1
    assert "go with --breaking" in capsys.readouterr().err
    assert main(["--root", root, "new", "version", CLAIM, "--breaking", "--removal-date", "soon"]) == 2
    assert main(["--root", root, "new", "version", CLAIM, "--breaking"]) == 0
    out = capsys.readouterr().out
    assert "created events/claims/claim_created_v2/v1.avsc" in out and "changed events/claims/claim_created/event.yaml" in out
