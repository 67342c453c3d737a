"""The Go programs under go/ (the Pulumi CLI wrapper and language host, the kafka provider, the
eventbus provider): gofmt-clean, `go vet`-clean, and the eventbus provider's own unit tests pass.
The build script is short and holds no program code."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
GO = REPO / "go"
MODULES = sorted(p.parent.name for p in GO.glob("*/go.mod"))
# the build flags of scripts/pulumi-engine.sh, so vet reuses the build's compiled dependencies
ENV = {**os.environ, "GOFLAGS": "-buildvcs=false -trimpath -tags=osusergo,grpcnotrace", "GOTOOLCHAIN": "local", "GOWORK": "off"}


@pytest.fixture(scope="module")
def go() -> str:
    path = shutil.which("go")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("go is not installed (CI=true: this is an error, not a skip)")
        pytest.skip("go is not installed")
    return path


def run(cmd, cwd) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, env=ENV, capture_output=True, text=True, timeout=1800)


def test_every_program_is_a_module_with_its_checksums():
    assert MODULES == ["engine", "eventbus", "kafka"]
    for m in MODULES:
        assert (GO / m / "go.sum").stat().st_size > 0, f"go/{m}/go.sum is missing: run `go mod tidy` there"


def test_gofmt_clean(go):
    proc = run([str(Path(go).with_name("gofmt")), "-l", "."], GO)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "", f"not gofmt-formatted (run `gofmt -w go/`):\n{proc.stdout}"


@pytest.mark.parametrize("module", MODULES)
def test_go_vet_clean(go, module):
    proc = run([go, "vet", "./..."], GO / module)
    assert proc.returncode == 0, f"go vet in go/{module}:\n{proc.stdout}{proc.stderr}"


def test_eventbus_provider_unit_tests(go):
    proc = run([go, "test", "-count=1", "./..."], GO / "eventbus")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(r"^ok\s+eventbus.local/pulumi-resource-eventbus", proc.stdout, re.M), proc.stdout


def test_engine_script_holds_no_program_code():
    text = (REPO / "scripts" / "pulumi-engine.sh").read_text()
    assert len(text.splitlines()) < 400
    assert "package main" not in text and not re.search(r"python3? -(c|\s)", text)
    heredocs = re.findall(r"<<-?\s*'?(\w+)'?", text)
    assert set(heredocs) <= {"EOF"}, heredocs  # the usage text only
