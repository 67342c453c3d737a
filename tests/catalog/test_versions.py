"""Every version has a page; each version's changes are marked safe or breaking for readers, with whom they affect."""
from __future__ import annotations

import json

import pytest

from eventbus.catalog import CatalogError, build_catalog
from eventbus.catalog.schema_view import field_rows
from eventbus.catalog.versions import diff_versions
from tests.catalog.conftest import text_of
from tests.conftest import V1, V2, field, record

V3_BREAKING = record("ClaimCreated", [V1["fields"][0], field("status", {"type": "enum", "name": "Status", "symbols": ["OPEN"], "doc": "Status."}),
                                      field("region", "string")])


def diff(mode, old, new):
    return diff_versions(mode, (1, json.dumps(old), field_rows(old)), (2, json.dumps(new), field_rows(new)))


def test_adding_an_optional_field_is_safe_both_ways():
    d = diff("BACKWARD", V1, V2)
    assert d.verdict == "safe" and not d.problems
    assert [(c.kind, c.path, c.breaking) for c in d.changes] == [("added", "note", ())]


def test_breaking_changes_say_whom_they_break():
    d = diff("NONE", V2, V3_BREAKING)
    assert d.verdict == "breaking" and d.mode_allows  # NONE lets it through: the page must say so anyway
    changes = {c.path: c for c in d.changes}
    # a field without a default: readers on the new version cannot read old records
    assert changes["region"].kind == "added" and any("cannot read records written with v1" in w for w in changes["region"].breaking)
    # a removed enum symbol: new readers fail on old records that carry it
    assert changes["status"].kind == "changed" and changes["status"].breaking
    # a removed field that had a default is safe for old readers (they use the default)
    assert changes["note"].kind == "removed"
    assert d.backward_breaking
    d = diff("BACKWARD", V2, V3_BREAKING)
    assert not d.mode_allows


def test_forward_breaking_change_breaks_current_consumers():
    v2 = record("ClaimCreated", V1["fields"] + [field("note", "string", default="")])
    v3 = record("ClaimCreated", V1["fields"])  # removes a field the old readers have a default for: safe
    assert diff("BACKWARD", v2, v3).verdict == "safe"
    v2 = record("ClaimCreated", V1["fields"] + [field("note", "string")])
    d = diff("BACKWARD", v2, v3)  # old readers need `note`, which new records lack and they have no default for
    assert d.forward_breaking and d.mode_allows
    assert any("must upgrade first" in w for w in d.who())


def test_unparsable_version_is_not_judged():
    d = diff_versions("BACKWARD", (1, json.dumps(V1), field_rows(V1)), (2, "{not json", []))
    assert d.verdict == "unchecked"


@pytest.fixture()
def breaking_tree(tree):
    ev = tree.events["claims/claim_created"]
    ev["meta"]["schema"]["compatibility"] = "NONE"
    ev["versions"].append(V3_BREAKING)
    ev["examples"] = {"one.json": {"claimId": 1, "status": "OPEN", "region": "east"}}
    return with_registry(tree).write()


def with_registry(tree):
    for name in ("prod", "sandbox"):
        tree.stacks[name]["config"]["eventbus:schemaRegistry"] = {"kind": "glue", "name": f"eeb-{name}"}
    return tree


def test_version_pages_mark_changes_and_affected_consumers(breaking_tree, tmp_path):
    out = tmp_path / "site"
    build_catalog(str(breaking_tree.root), str(out), schema_ids={"prod": {"claims_claim_created-value": {1: 101, 2: 102, 3: 117}}})
    event = text_of((out / "events/claims/claim_created.html").read_text())
    assert "safe" in event and "breaking" in event
    v3 = (out / "events/claims/claim_created/v3.html").read_text()
    t = text_of(v3)
    assert "Changes from v2" in t and "breaking" in t and "consumers on v3 cannot read records written with v2" in t
    affects = " ".join(t.split("Consumers this affects", 1)[1].split("Field by field", 1)[0].split())
    assert "notify/notifier" in affects and "declares no fields" in affects
    assert 'href="#v3-f-region"' in v3 and 'id="v3-f-region"' in v3  # the change links to its field row
    # schema ids per stack: given for prod, not known for sandbox
    assert "<code>117</code>" in v3 and "assigned at deploy" in v3
    assert (out / "events/claims/claim_created/v3.avsc").read_text() == json.dumps(V3_BREAKING, indent=2)
    v1 = text_of((out / "events/claims/claim_created/v1.html").read_text())
    assert "First version" in v1 and "superseded by v2" in v1
    v2 = text_of((out / "events/claims/claim_created/v2.html").read_text())
    assert "safe" in v2 and "v3 →" in v2 and "← v1" in v2


def test_schema_ids_for_an_unknown_stack_are_refused(tree, tmp_path):
    with pytest.raises(CatalogError, match="does not cover"):
        build_catalog(str(tree.root), str(tmp_path / "site"), stacks=["prod"], schema_ids={"sandbox": {}})


def test_cli_reads_schema_ids(tree, tmp_path, capsys):
    from eventbus.cli.main import main

    with_registry(tree).write()
    ids = tmp_path / "ids.json"
    ids.write_text(json.dumps({"claims_claim_created-value": {"1": 41, "2": 42}}))
    out = tmp_path / "site"
    assert main(["--root", str(tree.root), "catalog", "build", "--out", str(out), "--stack", "prod", "--schema-ids", str(ids)]) == 0
    assert "<code>42</code>" in (out / "events/claims/claim_created/v2.html").read_text()
    bad = tmp_path / "bad.json"
    bad.write_text('{"claims_claim_created-value": {"one": "x"}}')
    assert main(["--root", str(tree.root), "catalog", "build", "--out", str(out), "--stack", "prod", "--schema-ids", str(bad)]) == 1
    err = capsys.readouterr().err
    assert str(bad) in err and "fix:" in err and "Traceback" not in err
    # two stacks: say which stack the ids belong to
    assert main(["--root", str(tree.root), "catalog", "build", "--out", str(out), "--schema-ids", str(ids)]) == 1
    assert "STACK=FILE" in capsys.readouterr().err
    assert main(["--root", str(tree.root), "catalog", "build", "--out", str(out), "--schema-ids", f"prod={ids}"]) == 0
    # what the deploy's stack output `subjects` holds (pulumi stack output subjects --json) reads the same
    deployed = tmp_path / "subjects.json"
    deployed.write_text(json.dumps({"claims_claim_created-value": [{"version": 1, "id": 51}, {"version": 2, "id": 52}]}))
    assert main(["--root", str(tree.root), "catalog", "build", "--out", str(out), "--stack", "prod", "--schema-ids", str(deployed)]) == 0
    assert "<code>52</code>" in (out / "events/claims/claim_created/v2.html").read_text()
    deployed.write_text(json.dumps({"claims_claim_created-value": [{"version": True, "id": 51}]}))
    assert main(["--root", str(tree.root), "catalog", "build", "--out", str(out), "--stack", "prod", "--schema-ids", str(deployed)]) == 1
    assert "fix:" in capsys.readouterr().err


def test_the_shortcut_agrees_with_the_checker(tmp_path):
    """Pairs marked safe without the checker are pairs the checker finds compatible both ways."""
    from eventbus.avro.compat import check
    from eventbus.bench.synth import generate
    from eventbus.catalog.schema_view import diff_rows, record_info
    from eventbus.catalog.versions import _trivially_safe
    from eventbus.load.registry import load_registry
    from tests.conftest import REPO

    generate(str(tmp_path / "synth"), events=30, consumers=10, versions=3)
    cases = [(V1, V2), (V2, V1), (V2, V3_BREAKING),
             (V1, record("ClaimCreated", V1["fields"] + [field("when", {"type": "long", "logicalType": "timestamp-millis"}, default=0)])),
             (V1, record("Renamed", V1["fields"] + [field("note", ["null", "string"], default=None)])),  # a rename: not trivial
             (record("ClaimCreated", V1["fields"] + [field("n", "int", default=1)]), V1)]
    for root in (str(REPO), str(tmp_path / "synth")):
        for e in load_registry(root).registry.events:
            cases += [(a.schema, b.schema) for a, b in zip(e.versions, e.versions[1:], strict=False) if a.schema and b.schema]
    shortcut = 0
    for old, new in cases:
        ot, nt = json.dumps(old), json.dumps(new)
        orows, nrows = field_rows(old), field_rows(new)
        changes = diff_rows(orows, nrows)
        records = (record_info(old), record_info(new))  # as the catalog passes them: the same verdict as from the texts
        assert _trivially_safe(changes, orows, nrows, ot, nt, records) == _trivially_safe(changes, orows, nrows, ot, nt)
        if _trivially_safe(changes, orows, nrows, ot, nt):
            shortcut += 1
            assert check("FULL", nt, [ot]) == [], (old.get("name"), [f["name"] for f in new["fields"]])
    assert shortcut >= 30  # the shortcut is taken (and checked) many times
