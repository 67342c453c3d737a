"""The contributor experience: issue forms that match the file formats, the PR template, the
pre-commit hooks, and CONTRIBUTING.md's walkthroughs run command by command."""
from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO
from tests.workflows.conftest import EVENTBUS

SCHEMAS = REPO / "infra" / "eventbus" / "schemas"
FORMS = REPO / ".github" / "ISSUE_TEMPLATE"
FILE_FIELDS = {"name", "value_schema", "key_schema", "example", "checklist"}  # not event.yaml keys: the folder and the files


def schema(name: str) -> dict:
    return json.loads((SCHEMAS / f"{name}.schema.json").read_text())


def resolve(doc: dict, node: dict) -> dict:
    ref = node.get("$ref")
    if not ref:
        return node
    file, _, pointer = ref.partition("#")
    target = schema(file.replace(".schema.json", "")) if file else doc
    for part in filter(None, pointer.split("/")):
        target = target[part]
    return resolve(doc, target)


def field_schema(doc: dict, path: str) -> dict | None:
    """The JSON Schema of `a-b_c` = a.b_c (arrays are entered through their items)."""
    node = doc
    for key in path.split("-"):
        node = resolve(doc, node)
        if node.get("type") == "array":
            node = resolve(doc, node["items"])
        props = node.get("properties") or {}
        if key not in props:
            return None
        node = props[key]
    node = resolve(doc, node)
    return node


def form(name: str) -> dict:
    return yaml.safe_load((FORMS / name).read_text())


def check_form_structure(f: dict):
    assert f["name"] and f["description"] and f["body"]
    ids = [e["id"] for e in f["body"] if "id" in e]
    assert len(ids) == len(set(ids))
    for e in f["body"]:
        assert e["type"] in {"markdown", "input", "textarea", "dropdown", "checkboxes"}
        if e["type"] != "markdown":
            assert re.fullmatch(r"[A-Za-z0-9_-]+", e["id"]), e["id"]
            assert e["attributes"]["label"]
        if e["type"] in ("dropdown", "checkboxes"):
            assert e["attributes"]["options"]


@pytest.mark.parametrize("name,kind,exempt", [
    ("register-event.yml", "event", FILE_FIELDS),
    ("subscribe-to-event.yml", "consumer", set()),
])
def test_issue_forms_match_the_file_formats(name, kind, exempt):
    f = form(name)
    check_form_structure(f)
    doc = schema(kind)
    fields = {e["id"]: e for e in f["body"] if "id" in e}
    for fid, e in fields.items():
        if fid in exempt:
            continue
        sub = field_schema(doc, fid)
        assert sub is not None, f"{name}: field '{fid}' is not a field of {kind}.schema.json"
        if e["type"] == "dropdown" and "enum" in sub:
            opts = e["attributes"]["options"]
            assert set(opts) <= set(sub["enum"]), f"{name}: {fid} offers {set(opts) - set(sub['enum'])}"
    top = {fid.split("-")[0] for fid in fields}
    for required in doc["required"]:
        assert required in top, f"{name}: the required field '{required}' is not asked for"


def test_issue_form_dropdowns_offer_every_allowed_value():
    ev = {e["id"]: e for e in form("register-event.yml")["body"] if "id" in e}
    assert ev["classification-data"]["attributes"]["options"] == ["none", "PII", "PHI"]
    assert ev["schema-compatibility"]["attributes"]["options"] == field_schema(schema("event"), "schema-compatibility")["enum"]
    assert ev["access-policy"]["attributes"]["options"] == ["open", "restricted"]
    co = {e["id"]: e for e in form("subscribe-to-event.yml")["body"] if "id" in e}
    assert co["compliance-fisma_level"]["attributes"]["options"] == ["Low", "Moderate"]  # High is refused by the gate
    assert co["compliance-ato_status"]["attributes"]["options"] == ["ATO", "cATO", "IATO", "none"]
    envs = [o["label"] for o in co["subscriptions-environments"]["attributes"]["options"]]
    from eventbus.load.registry import load_registry

    assert sorted(envs) == sorted(load_registry(str(REPO)).registry.environments)


def test_pull_request_template():
    text = (REPO / ".github" / "PULL_REQUEST_TEMPLATE.md").read_text()
    for must in ("eventbus validate --base origin/main", "eventbus codeowners", "access.allowed_consumers", "synthetic"):
        assert must in text


# -- pre-commit ---------------------------------------------------------------------------------------
def test_pre_commit_hooks_run_the_gate():
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    by_id = {h["id"]: h for h in hooks}
    assert by_id["eventbus-validate"]["entry"] == "eventbus validate"
    assert by_id["eventbus-validate"]["language"] == "python" and by_id["eventbus-validate"]["pass_filenames"] is False
    assert by_id["eventbus-codeowners"]["entry"] == "eventbus codeowners"
    cfg = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text())
    [local] = cfg["repos"]
    assert local["repo"] == "local"
    ids = [h["id"] for h in local["hooks"]]
    assert ids == ["eventbus-codeowners", "eventbus-validate"]
    for h in local["hooks"]:
        assert h["entry"] == ".venv/bin/" + by_id[h["id"]]["entry"]
        assert h["files"] == by_id[h["id"]]["files"]
        assert re.search(h["files"], "events/claims/x/event.yaml") and re.search(h["files"], "teams/a.yaml")


def pre_commit() -> str:
    exe = Path(sys.executable).parent / "pre-commit"
    if exe.exists():
        return str(exe)
    if shutil.which("pre-commit"):
        return shutil.which("pre-commit")
    pytest.skip("pre-commit is not installed (optional for contributors)")


def test_pre_commit_files_are_valid():
    pc = pre_commit()
    for cmd in (["validate-config", ".pre-commit-config.yaml"], ["validate-manifest", ".pre-commit-hooks.yaml"]):
        res = subprocess.run([pc, *cmd], cwd=REPO, capture_output=True, text=True)
        assert res.returncode == 0, res.stdout + res.stderr


def test_pre_commit_runs_the_gate_in_a_checkout(git_tree, tmp_path):
    """`pre-commit run` in a repository with this config: regenerates CODEOWNERS, fails on a bad line."""
    pc = pre_commit()
    t = git_tree
    shutil.copy(REPO / ".pre-commit-config.yaml", t.root / ".pre-commit-config.yaml")
    shim = t.root / ".venv" / "bin" / "eventbus"  # this checkout's .venv: a shim to the real one
    shim.parent.mkdir(parents=True)
    shim.write_text(f'#!/usr/bin/env bash\nexec "{EVENTBUS}" "$@"\n')
    shim.chmod(0o755)
    (t.root / ".gitignore").write_text("/out/\n/.venv\n")
    t.commit("pre-commit config")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "NO_COLOR": "1"}
    env.pop("EVENTBUS_ROOT", None)

    def run():
        return subprocess.run([pc, "run", "--all-files", "--color", "never"], cwd=t.root, env=env, capture_output=True, text=True, timeout=300)

    ok = run()
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "eventbus validate (the pull-request gate)" in ok.stdout and "Passed" in ok.stdout

    t.teams["notify"]["github_team"] = "@example-org/notify-renamed"  # ownership changes
    t.consumers["notify/notifier"]["subscriptions"][0]["environments"] = ["sandbox", "staging"]
    t.write()
    bad = run()
    assert bad.returncode == 1
    assert "files were modified by this hook" in bad.stdout  # CODEOWNERS regenerated, to be added
    assert "@example-org/notify-renamed" in (t.root / ".github" / "CODEOWNERS").read_text()
    assert "error [unknown-environment]" in bad.stdout


# -- CONTRIBUTING.md, run -----------------------------------------------------------------------------
def contributing_commands() -> list[list[str]]:
    """The `.venv/bin/eventbus ...` commands of CONTRIBUTING.md's shell blocks, continuation lines joined."""
    text = (REPO / "CONTRIBUTING.md").read_text()
    cmds = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        joined = re.sub(r"\\\n\s*", " ", block)
        for line in joined.splitlines():
            line = line.split("  #", 1)[0].strip()
            if line.startswith(".venv/bin/eventbus "):
                cmds.append(shlex.split(line)[1:])
    return cmds


def test_contributing_commands_parse():
    from eventbus.cli.main import build_parser

    cmds = contributing_commands()
    assert any(c[:2] == ["new", "event"] for c in cmds) and any(c[:2] == ["new", "consumer"] for c in cmds)
    assert ["codeowners"] in cmds and ["validate"] in cmds
    for c in cmds:
        build_parser().parse_args(c)  # exits (SystemExit) on a flag that does not exist


def test_contributing_walkthroughs_work_on_a_copy_of_the_registry(tmp_path):
    """Both walkthroughs on a copy of the real tree: the producer's event passes the gate once
    CODEOWNERS is regenerated; the consumer's subscription fails on the documented line until the
    owning team's edit, then passes."""
    root = tmp_path / "registry"
    root.mkdir()
    for name in ("events", "consumers", "teams", ".github"):
        shutil.copytree(REPO / name, root / name)
    for p in REPO.glob("Pulumi*.yaml"):
        shutil.copy(p, root / p.name)

    def eb(*args):
        return subprocess.run([EVENTBUS, "--root", str(root), *args], capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"})

    cmds = contributing_commands()
    producer = next(c for c in cmds if c[:2] == ["new", "event"])
    consumer = next(c for c in cmds if c[:2] == ["new", "consumer"])

    # producer
    assert eb(*producer).returncode == 0
    stale = eb("validate")
    assert stale.returncode == 1 and "[codeowners-current]" in stale.stdout  # the walkthrough's next step
    assert eb("codeowners").returncode == 0
    assert "/events/health/appointment_cancelled/" in (root / ".github/CODEOWNERS").read_text()
    ok = eb("validate")
    assert ok.returncode == 0, ok.stdout

    # consumer
    assert eb(*consumer).returncode == 0
    app = root / "consumers/va-notify/refill-reminder.yaml"
    text = app.read_text()
    raw = re.findall(r"```yaml\n(.*?)```", (REPO / "CONTRIBUTING.md").read_text(), re.S)
    assert raw[0].startswith("compliance:\n")
    app.write_text(text[: text.index("compliance:\n")] + raw[0])  # the documented edit, as a person makes it
    allowed = yaml.safe_load(raw[1])
    res = eb("validate")
    assert res.returncode == 1
    documented = re.search(r"^(consumers/va-notify/refill-reminder\.yaml:\d+:\d+: error \[restricted-access\].*)$",
                           (REPO / "CONTRIBUTING.md").read_text(), re.M).group(1)
    assert documented in res.stdout, res.stdout
    assert [line for line in res.stdout.splitlines() if ": error [" in line] == [documented], "the only error is the documented one"

    event = root / "events/health/prescription_refill_requested/event.yaml"
    text = event.read_text()
    want = allowed["access"]["allowed_consumers"]
    assert want[-1] == "va-notify/refill-reminder"
    event.write_text(text.replace("    - va-notify/refill-notifier\n", "    - va-notify/refill-notifier\n    - va-notify/refill-reminder\n"))
    ok = eb("validate")
    assert ok.returncode == 0, ok.stdout
    assert "va-notify/refill-reminder" in yaml.safe_load(event.read_text())["access"]["allowed_consumers"]
