"""Failure injection on the real local stack: after each failure a re-run converges and nothing is lost."""
from __future__ import annotations

import os
import shutil
import stat
import subprocess
import time

import pytest

from eventbus.adapters.kafka_admin import compare, read_live
from eventbus.desired import compute
from eventbus.load.registry import load_registry
from eventbus.load.stacks import load_stack
from tests.e2e.conftest import admin_conf, run

pytestmark = pytest.mark.e2e


def converged(ws) -> list[str]:
    state = compute(load_registry(str(ws.root)).registry, load_stack(str(ws.root), "local"))
    return compare(state, read_live(admin_conf(ws.broker))).lines


def broker(ws, action: str) -> None:
    run(["bash", ws.broker["script"], action], env=ws.broker["env"], timeout=300)


def add_events(ws, prefix: str, n: int) -> None:
    for i in range(n):
        dst = ws.root / f"events/health/{prefix}_{i}"
        if not dst.exists():
            shutil.copytree(ws.root / "events/health/appointment_booked", dst)


@pytest.fixture(scope="module")
def deployed(workspace):
    workspace.up()
    assert converged(workspace) == []
    return workspace


def test_broker_stops_in_the_middle_of_up(deployed):
    ws = deployed
    add_events(ws, "appointment_stop", 8)
    proc = subprocess.Popen(["pulumi", "up", "--yes", "--skip-preview", "--stack", "local", "--non-interactive"], cwd=ws.root, env=ws.env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in proc.stdout:
        if "creating" in line:
            break
    broker(ws, "stop")
    out, _ = proc.communicate(timeout=600)
    assert proc.returncode != 0  # the deploy fails loudly instead of pretending
    broker(ws, "start")
    ws.up()
    assert converged(ws) == []


def test_broker_restarts_between_deploys(deployed):
    ws = deployed
    broker(ws, "restart")
    assert ws.pulumi("preview", "--refresh", "--expect-no-changes", check=False).returncode == 0
    ws.up()
    assert converged(ws) == []


def test_read_only_state_folder(deployed):
    ws = deployed
    state = ws.env["PULUMI_BACKEND_URL"][len("file://"):]
    add_events(ws, "appointment_ro", 1)
    before = set(read_live(admin_conf(ws.broker)).topics)
    modes = {}
    for dirpath, _dirnames, filenames in os.walk(state):
        for p in [dirpath, *(os.path.join(dirpath, f) for f in filenames)]:
            modes[p] = os.stat(p).st_mode
            os.chmod(p, modes[p] & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    immutable = False
    try:
        probe = os.path.join(state, ".write-probe")
        try:
            open(probe, "w").close()
            os.unlink(probe)
            writable = True
        except OSError:
            writable = False
        if writable:  # root ignores permission bits: make the folder immutable instead
            immutable = shutil.which("chattr") is not None and run(["chattr", "-R", "+i", state], check=False).returncode == 0
            assert immutable, "cannot make the state folder read-only here (need chattr on ext4, or a non-root user)"
        out = ws.up(check=False)
        assert out.returncode != 0
        after = set(read_live(admin_conf(ws.broker)).topics)
        assert after - before <= {"health_appointment_ro_0"} and before <= after  # nothing lost
    finally:
        if immutable:
            run(["chattr", "-R", "-i", state], check=False)
        for p, mode in modes.items():
            os.chmod(p, mode)
    ws.pulumi("cancel", "--yes", check=False)
    ws.pulumi("refresh", "--yes", "--clear-pending-creates", check=False)
    ws.up()
    assert converged(ws) == []


def test_two_deploys_at_once(deployed):
    ws = deployed
    add_events(ws, "appointment_twice", 6)
    first = subprocess.Popen(["pulumi", "up", "--yes", "--skip-preview", "--stack", "local", "--non-interactive"], cwd=ws.root, env=ws.env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    time.sleep(0.5)
    deadline = time.monotonic() + 60
    second = None
    while time.monotonic() < deadline:
        second = ws.up(check=False)
        if "locked" in second.stderr or first.poll() is not None:
            break
    out, _ = first.communicate(timeout=600)
    assert first.returncode == 0, out[-3000:]
    assert second is not None and (second.returncode != 0 and "locked" in second.stderr), "the second deploy did not refuse"
    # state is intact: a further run changes nothing and the cluster matches the tree
    assert ws.pulumi("preview", "--expect-no-changes", check=False).returncode == 0
    assert converged(ws) == []
