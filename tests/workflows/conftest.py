"""Fixtures for the workflow tests: the workflows parsed, and a runner for scripts/ci/*.sh."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO, Tree, codeowners, git_tree  # noqa: F401 (fixtures)

WORKFLOWS = REPO / ".github" / "workflows"
SCRIPTS = REPO / "scripts" / "ci"
FAKES = Path(__file__).resolve().parent / "fakes"
EVENTBUS = str(Path(sys.executable).parent / "eventbus")


def load_workflow(path: Path) -> dict:
    with open(path, encoding="utf-8") as fh:
        doc = yaml.safe_load(fh)
    if True in doc:  # YAML 1.1 reads the key `on` as a boolean
        doc["on"] = doc.pop(True)
    return doc


@pytest.fixture(scope="session")
def workflows() -> dict[str, dict]:
    files = sorted(WORKFLOWS.glob("*.yml")) + sorted(WORKFLOWS.glob("*.yaml"))
    assert files, "no workflows"
    return {p.name: load_workflow(p) for p in files}


def deployed_stacks(root: Path = REPO) -> list[str]:
    """Stacks a merge deploys: every Pulumi.<stack>.yaml whose target is not local."""
    from eventbus.load.stacks import load_stack

    names = sorted(p.name[len("Pulumi."):-len(".yaml")] for p in root.glob("Pulumi.*.yaml"))
    return [n for n in names if load_stack(str(root), n).target != "local"]


class CI:
    """Runs scripts/ci/<name>.sh the way a workflow does (bash, from the repository root)."""

    def __init__(self, tmp: Path, root: Path = REPO):
        self.out = tmp / "ci-out"
        self.github_output = tmp / "github_output"
        self.summary = tmp / "step_summary"
        self.gh_state = tmp / "gh-state.json"
        self.pulumi_log = tmp / "pulumi.log"
        self.root = root
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "EVENTBUS_", "GH_", "PULUMI_"))},
            "EVENTBUS_ROOT": str(root),
            "EVENTBUS_CI_OUT": str(self.out),
            "EVENTBUS": EVENTBUS,
            "EVENTBUS_PYTHON": sys.executable,
            "GITHUB_OUTPUT": str(self.github_output),
            "GITHUB_STEP_SUMMARY": str(self.summary),
            "NO_COLOR": "1",
            "FAKE_GH_STATE": str(self.gh_state),
            "FAKE_PULUMI_LOG": str(self.pulumi_log),
        }

    def with_fakes(self) -> CI:
        self.env["PATH"] = f"{FAKES}{os.pathsep}{self.env.get('PATH', '')}"
        return self

    def run(self, script: str, *args: str, **env: str) -> subprocess.CompletedProcess:
        return subprocess.run(["bash", str(SCRIPTS / script), *args], cwd=REPO, env={**self.env, **env},
                              capture_output=True, text=True, timeout=600)

    def outputs(self) -> dict[str, str]:
        """GITHUB_OUTPUT parsed (name=value and name<<DELIM heredocs)."""
        out: dict[str, str] = {}
        lines = self.github_output.read_text().splitlines() if self.github_output.exists() else []
        i = 0
        while i < len(lines):
            line = lines[i]
            if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
                name, delim = line.split("<<", 1)
                j = lines.index(delim, i + 1)
                out[name] = "\n".join(lines[i + 1:j])
                i = j + 1
            else:
                name, _, value = line.partition("=")
                out[name] = value
                i += 1
        return out

    def gh(self) -> dict:
        return json.loads(self.gh_state.read_text()) if self.gh_state.exists() else {"comments": [], "issues": [], "calls": []}


@pytest.fixture
def ci(tmp_path) -> CI:
    return CI(tmp_path)


