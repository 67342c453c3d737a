"""``eventbus import`` on bad input: one line, exit 2, nothing written."""
from __future__ import annotations

from eventbus.cli.main import main
from tests.conftest import Tree


def test_a_bad_import_map_is_one_line_and_nothing_is_read_or_written(tmp_path, capsys):
    t = Tree(tmp_path / "repo")
    t.root.mkdir()
    t.write()
    bad = tmp_path / "map.yaml"
    bad.write_text("topics:\n  claims_status: Not-A-Domain\n")
    assert main(["--root", str(t.root), "import", "--stack", "prod", "--domain-map", str(bad), "--no-input"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{bad}:2" in err and "Traceback" not in err
    assert not (t.root / "adopt").exists()


def test_an_unknown_stack(tmp_path, capsys):
    t = Tree(tmp_path)
    t.write()
    assert main(["--root", str(tmp_path), "import", "--stack", "nope", "--no-input"]) == 1
    err = capsys.readouterr().err
    assert "Pulumi.nope.yaml" in err and "use one of the stacks" in err
