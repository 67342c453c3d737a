"""Hostile or broken files: one clear finding with file:line and a hint, exit 1, nothing modified, no traceback."""
from __future__ import annotations

import hashlib
import os

import pytest

from eventbus.cli.main import main

EV = "events/claims/claim_created/event.yaml"
CONS = "consumers/notify/notifier.yaml"
BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"


def snapshot(root):
    out = {}
    for dirpath, _dirs, files in os.walk(root):
        if ".git" in dirpath:
            continue
        for f in files:
            p = os.path.join(dirpath, f)
            if os.path.islink(p):
                out[p] = "link:" + os.readlink(p)
            else:
                out[p] = hashlib.sha256(open(p, "rb").read()).hexdigest()
    return out


def _replace(path, old, new):
    text = open(path).read()
    assert old in text, old
    with open(path, "w") as fh:
        fh.write(text.replace(old, new))


def _append(path, text):
    with open(path, "a") as fh:
        fh.write(text)


CASES = {
    "malformed-yaml": (EV, lambda p: open(p, "w").write("title: [unclosed\nsummary: x\n"), "yaml-syntax", 2),
    "duplicate-key": (EV, lambda p: _append(p, "title: Again\n"), "yaml-duplicate-key", None),
    "alias-bomb": (CONS, lambda p: open(p, "w").write(BOMB), "yaml-alias", 1),  # points at the anchor
    "merge-key": (CONS, lambda p: open(p, "w").write("base: &b {a: 1}\nother:\n  <<: *b\n"), "yaml-alias", None),
    "custom-tag": (CONS, lambda p: open(p, "w").write("application: !!python/object:os.system x\n"), "yaml-syntax", 1),
    "two-documents": (CONS, lambda p: _append(p, "---\na: 1\n"), "yaml-syntax", None),
    "non-utf8": (EV, lambda p: open(p, "ab").write(b"\ntags: [caf\xe9]\n"), "file-encoding", None),
    "huge-file": (EV, lambda p: open(p, "a").write("#" * 2_000_000 + "\n"), "file-too-large", 1),
    "unknown-field": (EV, lambda p: _append(p, "colour: blue\n"), "schema", None),
    "wrong-type": (CONS, lambda p: _replace(p, "application: notifier", "application: [notifier]"), "schema", 1),
    "bad-principal": (CONS, lambda p: _replace(p, "arn:aws-us-gov:iam::111122223333:role/notifier\n", "arn:aws:s3:::bucket\n"), "schema", None),
    "avsc-not-json": ("events/claims/claim_created/v1.avsc", lambda p: open(p, "w").write("{\n  'type': 'record'\n}\n"), "json-syntax", 2),
    "avsc-not-avro": ("events/claims/claim_created/v1.avsc", lambda p: open(p, "w").write('{"type": "recrod", "name": "X", "fields": []}'), "avro-parse", 1),
    "avsc-duplicate-key": ("events/claims/claim_created/v1.avsc", lambda p: open(p, "w").write('{"type": "record",\n "type": "enum"}'), "json-duplicate-key", 2),
    "empty-file": (CONS, lambda p: open(p, "w").write(""), "schema", 1),
    "deep-nesting": (CONS, lambda p: open(p, "w").write("a: " + "[" * 200 + "]" * 200 + "\n"), "yaml-depth", None),
    "name-differs": (EV, lambda p: _replace(p, "domain: claims", "domain: benefits"), "name-folder", None),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_file(tree, case, capsys):
    rel, breaker, rule, line = CASES[case]
    breaker(str(tree.root / rel))
    before = snapshot(tree.root)
    rc = main(["--root", str(tree.root), "validate"])
    out = capsys.readouterr()
    assert rc == 1
    assert "Traceback" not in out.out + out.err
    assert snapshot(tree.root) == before, "the gate modified the tree"
    hits = [ln for ln in out.out.splitlines() if f"[{rule}]" in ln]
    assert hits, out.out
    assert hits[0].startswith(f"{rel}:")
    if line is not None:
        assert hits[0].startswith(f"{rel}:{line}:"), hits[0]
    idx = out.out.splitlines().index(hits[0])
    assert out.out.splitlines()[idx + 1].strip().startswith("fix: ")


def test_symlink_out_of_repo(tree, tmp_path_factory, capsys):
    outside = tmp_path_factory.mktemp("outside") / "secret.yaml"
    outside.write_text("application: stolen\n")
    os.symlink(outside, tree.root / "consumers/notify/stolen.yaml")
    os.symlink(outside.parent, tree.root / "events/leak")
    assert main(["--root", str(tree.root), "validate"]) == 1
    out = capsys.readouterr().out
    assert "consumers/notify/stolen.yaml:1:1: error [file-symlink]" in out
    assert "events/leak:1:1: error [file-symlink]" in out
    assert "stolen" not in out.split("[file-symlink]")[1].split("\n")[0] or "points outside" in out


def test_yaml_norway_and_dates_stay_strings(tree):
    from eventbus.load.yaml import parse_yaml

    data, pos = parse_yaml("country: no\nok: true\nwhen: 2026-01-02\nn: 3\n")
    assert data == {"country": "no", "ok": True, "when": "2026-01-02", "n": 3}
    assert pos[("when",)] == (3, 1)


def test_broken_event_does_not_cascade(tree, capsys):
    p = tree.root / "events/health/refill_requested/event.yaml"
    p.write_text("title: [oops\n")
    assert main(["--root", str(tree.root), "validate"]) == 1
    out = capsys.readouterr().out
    assert "[yaml-syntax]" in out
    assert "[unknown-event]" not in out  # the consumer's subscription is not blamed for the broken file


@pytest.mark.parametrize("fmt", ["json", "github", "sarif"])
def test_machine_formats(tree, fmt, capsys):
    _append(str(tree.root / EV), "colour: blue\n")
    assert main(["--root", str(tree.root), "validate", "--format", fmt]) == 1
    out = capsys.readouterr().out
    if fmt == "github":
        assert out.startswith(f"::error file={EV},line=")
        assert "title=schema::unknown field 'colour'" in out
    else:
        import json

        doc = json.loads(out)
        if fmt == "json":
            assert doc["ok"] is False and doc["findings"][0]["file"] == EV and doc["findings"][0]["line"] > 1
        else:
            res = doc["runs"][0]["results"][0]
            assert res["ruleId"] == "schema" and res["level"] == "error"
            assert res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == EV
            ids = {r["id"] for r in doc["runs"][0]["tool"]["driver"]["rules"]}
            assert "schema-compat" in ids


HOSTILE_KEY = '"x\\n::set-output name=a::b\\r\\n::add-mask::s": 1\n'


def test_no_output_format_can_issue_a_workflow_command(tree, capsys):
    """Text from the tree (keys, values, file names) never starts a line with `::` in any
    output: only the github reporter's own annotation lines do, one per finding."""
    import json

    p = tree.root / EV
    p.write_text(HOSTILE_KEY + p.read_text())
    odd = tree.root / "consumers" / "notify" / "x\n::error::y.yaml"
    odd.write_text("a: 1\n")
    tree.commit("base")
    outputs = {}
    for fmt in ("text", "json", "github", "sarif"):
        assert main(["--root", str(tree.root), "validate", "--format", fmt]) == 1
        outputs[fmt] = capsys.readouterr().out
    for fmt in ("markdown", "json"):
        assert main(["--root", str(tree.root), "plan", "--base", "HEAD", "--format", fmt]) == 0
        outputs["plan-" + fmt] = capsys.readouterr().out
    main(["--root", str(tree.root), "codeowners", "--approvals", "HEAD"])  # refuses: a document has errors
    got = capsys.readouterr()
    outputs["approvals"] = got.out + got.err
    for name, out in outputs.items():
        commands = [line for line in out.splitlines() if line.lstrip().startswith("::")]
        if name == "github":
            findings = json.loads(outputs["json"])["findings"]
            assert len(commands) == len(findings) and all(c.startswith(("::error file=", "::warning file=")) for c in commands)
        else:
            assert commands == [], (name, commands)
    assert "::set-output" in outputs["text"]  # shown, on the finding's own line


@pytest.mark.parametrize("argv", [
    ["validate", "--output", "{dir}"],
    ["validate", "--output", "{dir}/missing/report.txt"],
    ["plan", "--base", "main", "--output", "{dir}"],
    ["plan", "--base", "main", "--ci-out", "{file}"],
    ["codeowners", "--output", "{dir}"],
    ["codeowners", "--output", "{file}/CODEOWNERS"],
    ["codeowners", "--approvals", "main", "--output", "{dir}/missing/a.md"],
])
def test_an_output_that_cannot_be_written_is_a_usage_error(git_tree, tmp_path, argv, capsys):
    """--output at a folder or in a missing folder, --ci-out at a file: exit 2 with the flag and
    the reason on one line, not an 'internal error, please report it'."""
    (tmp_path / "a-file").write_text("x")
    argv = [a.format(dir=tmp_path, file=tmp_path / "a-file") for a in argv]
    assert main(["--root", str(git_tree.root), *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {argv[-2]} ") and "cannot" in err and "internal error" not in err, err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("command", [["validate"], ["plan", "--base", "HEAD"], ["codeowners"], ["catalog", "build", "--out", "OUT"]])
def test_a_folder_without_a_registry_is_a_usage_error(tmp_path, monkeypatch, capsys, command):
    # a CI job run in the wrong folder must not pass with "0 events"
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.delenv("EVENTBUS_ROOT", raising=False)
    command = [str(tmp_path / "out") if a == "OUT" else a for a in command]
    assert main(["--root", str(empty), *command]) == 2
    assert "not a registry" in capsys.readouterr().err
    monkeypatch.chdir(empty)
    assert main(command) == 2
    assert "the working directory" in capsys.readouterr().err
    assert os.listdir(empty) == []


@pytest.mark.parametrize("workers", ["0", "-2", "two"])
def test_catalog_workers_must_be_a_count(tree, tmp_path, capsys, workers):
    assert main(["--root", str(tree.root), "catalog", "build", "--out", str(tmp_path / "cat"), "--workers", workers]) == 2
    assert "1 or more" in capsys.readouterr().err


def test_stack_file_name_with_a_trailing_newline_is_not_a_stack(tree, tmp_path, capsys):
    """'Pulumi.sandbox.yaml\\n' is no stack file for the gate (fullmatch), but stack_files took it (match with $):
    the gate passed and then stacks, plan and the catalog build failed on a stack 'sandbox.' ("no stack file
    Pulumi.sandbox..yaml"), so one merged file stopped every catalog publish."""
    import shutil

    stacks = sorted(p.name for p in tree.root.glob("Pulumi.*.yaml"))
    shutil.copyfile(tree.root / stacks[0], tree.root / (stacks[0] + "\n"))
    assert main(["--root", str(tree.root), "validate"]) == 0
    capsys.readouterr()
    assert main(["--root", str(tree.root), "stacks"]) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == len(stacks)
    assert main(["--root", str(tree.root), "catalog", "build", "--out", str(tmp_path / "site")]) == 0
    assert "no stack file" not in capsys.readouterr().err
