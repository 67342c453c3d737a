"""Writing a draft into an --out folder that already holds things: nothing is written through a
link to outside it, no file found there is overwritten, a broken record is a clear error."""
from __future__ import annotations

import pytest

from eventbus.cli.main import main
from eventbus.importer.write import WriteError, write
from tests.importer.test_draft import draft, local_tree, sasl_snapshot


def test_a_folder_that_links_outside_out_is_refused_before_anything_is_written(tmp_path):
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "events").symlink_to(elsewhere)  # was: events/... written into elsewhere/
    with pytest.raises(WriteError, match="leads outside it"):
        write(draft(local_tree(), sasl_snapshot()), str(out), "local", "c-1")
    assert list(elsewhere.iterdir()) == [] and sorted(p.name for p in out.iterdir()) == ["events"]


def test_the_record_is_never_written_through_a_file_found_next_to_it(tmp_path):
    (tmp_path / "out/adopt").mkdir(parents=True)
    victim = tmp_path / "victim"
    victim.write_text("not the importer's\n")
    (tmp_path / "out/adopt/local.yaml.tmp").symlink_to(victim)  # was: overwritten, and adopt/local.yaml became the link
    write(draft(local_tree(), sasl_snapshot()), str(tmp_path / "out"), "local", "c-1")
    assert victim.read_text() == "not the importer's\n"
    record = tmp_path / "out/adopt/local.yaml"
    assert not record.is_symlink() and "decision_letter_availability" in record.read_text()
    assert [p.name for p in (tmp_path / "out/adopt").iterdir() if p.name.endswith(".tmp")] == ["local.yaml.tmp"]


@pytest.mark.parametrize("text,message", [
    ("topics: [a\n", "adopt/local.yaml:1: invalid YAML"),
    ("- 1\n", "adopt/local.yaml: not an adoption record"),
    ("topics: [1]\n", "adopt/local.yaml: not an adoption record"),
])
def test_a_broken_record_in_out_is_an_error_and_nothing_is_written(tmp_path, text, message):
    # was: internal error: ReadError (..) / TypeError: cannot convert dictionary update sequence element
    (tmp_path / "adopt").mkdir()
    (tmp_path / "adopt/local.yaml").write_text(text)
    with pytest.raises(WriteError, match=message):
        write(draft(local_tree(), sasl_snapshot()), str(tmp_path), "local", "c-1")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adopt"]


def test_through_the_cli_an_out_that_cannot_be_written_is_one_error_line(tmp_path, monkeypatch, capsys):
    import eventbus.adapters.kafka_admin as kafka_admin
    import eventbus.importer.snapshot as snapshot

    t = local_tree()
    t.root = tmp_path / "repo"
    t.root.mkdir()
    t.write()
    snap = sasl_snapshot()
    monkeypatch.setenv("KAFKA_ADMIN_PASSWORD", "x")
    monkeypatch.setenv("EVENTBUS_STATE", str(tmp_path / "no-state"))
    monkeypatch.setattr(kafka_admin, "read_inventory", lambda *a, **k: snap.kafka)
    monkeypatch.setattr(snapshot, "read_registry", lambda *a, **k: snap.subjects)
    (tmp_path / "out").write_text("a file, not a folder\n")  # was: internal error: NotADirectoryError
    assert main(["--root", str(t.root), "import", "--stack", "local", "--no-input", "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[-1].startswith("error: cannot write the draft in") and "internal error" not in "\n".join(err)
