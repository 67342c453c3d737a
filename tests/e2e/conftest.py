"""End-to-end fixtures: a fresh Kafka broker (scripts/kafka-broker.sh) and a fresh schema registry
(scripts/schema-registry.sh: Apicurio's Confluent API) on their own ports and state, the real
Pulumi engine (scripts/pulumi-engine.sh), and a throw-away copy of the registry tree.

Where Java/Maven/Go are missing the e2e tests skip with a reason; under CI=true that is an error.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from eventbus.load.yaml import dump_yaml, parse_yaml

REPO = Path(__file__).resolve().parents[2]
PORT = int(os.environ.get("EVENTBUS_E2E_KAFKA_PORT", "29092"))
CONTROLLER_PORT = PORT + 1
REGISTRY_PORT = int(os.environ.get("EVENTBUS_E2E_REGISTRY_PORT", "28081"))


def _need(tool: str) -> None:
    if shutil.which(tool) is None:
        msg = f"{tool} is not installed: the end-to-end tests need Java 17+, Maven and Go"
        if os.environ.get("CI"):
            pytest.fail(msg + " (CI=true: this is an error, not a skip)")
        pytest.skip(msg)


def run(cmd, env=None, cwd=None, check=True, timeout=900, input=None) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout, input=input)
    if check and proc.returncode != 0:
        out = proc.stdout if len(proc.stdout) < 8000 else proc.stdout[:2000] + "\n[...]\n" + proc.stdout[-6000:]
        diag = proc.stdout[proc.stdout.find("Diagnostics:"):][:3000] if "Diagnostics:" in proc.stdout else ""
        raise AssertionError(f"{' '.join(map(str, cmd))} exited {proc.returncode}\n--- diagnostics\n{diag}\n--- stdout\n{out}\n--- stderr\n{proc.stderr[-4000:]}")
    return proc


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


@pytest.fixture(scope="module")
def broker(tmp_path_factory):
    """A fresh broker per test module (its own state folder), so scenarios never see each other's topics."""
    for tool in ("java", "mvn"):
        _need(tool)
    state = tmp_path_factory.mktemp("kafka-state")
    env = {**os.environ, "EVENTBUS_STATE": str(state), "EVENTBUS_KAFKA_PORT": str(PORT), "EVENTBUS_KAFKA_CONTROLLER_PORT": str(CONTROLLER_PORT),
           "EVENTBUS_KAFKA_EXTERNAL": "0"}
    if not _port_free(PORT):
        pytest.fail(f"port {PORT} is taken: stop whatever listens there (or set EVENTBUS_E2E_KAFKA_PORT)")
    script = str(REPO / "scripts" / "kafka-broker.sh")
    run(["bash", script, "start"], env=env, timeout=600)
    password = (state / "kafka" / "admin.password").read_text().strip()
    info = {"env": env, "script": script, "bootstrap": f"127.0.0.1:{PORT}", "admin_password": password, "state": state}
    yield info
    run(["bash", script, "stop"], env=env, check=False)


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    """A fresh schema registry per test module (its own state folder, empty)."""
    for tool in ("mvn", "curl"):
        _need(tool)
    state = tmp_path_factory.mktemp("registry-state")
    env = {**os.environ, "EVENTBUS_STATE": str(state), "EVENTBUS_SCHEMA_REGISTRY_PORT": str(REGISTRY_PORT),
           "EVENTBUS_SCHEMA_REGISTRY_MANAGEMENT_PORT": str(REGISTRY_PORT + 1), "EVENTBUS_SCHEMA_REGISTRY_EXTERNAL": "0"}
    for port in (REGISTRY_PORT, REGISTRY_PORT + 1):
        if not _port_free(port):
            pytest.fail(f"port {port} is taken: stop whatever listens there (or set EVENTBUS_E2E_REGISTRY_PORT)")
    script = str(REPO / "scripts" / "schema-registry.sh")
    run(["bash", script, "start"], env=env, timeout=900)
    info = {"env": env, "script": script, "url": f"http://127.0.0.1:{REGISTRY_PORT}/apis/ccompat/v7", "state": state}
    yield info
    run(["bash", script, "stop"], env=env, check=False)


@pytest.fixture(scope="session")
def engine():
    _need("go")
    run(["bash", str(REPO / "scripts" / "pulumi-engine.sh"), "build"], timeout=3600)
    out = run(["bash", str(REPO / "scripts" / "pulumi-engine.sh"), "env"]).stdout
    env = {}
    for line in out.splitlines():
        if line.startswith("export "):
            k, _, v = line[len("export "):].partition("=")
            env[k] = v.strip().strip('"').strip("'")
    path = env.get("PATH", os.environ["PATH"]).replace("$PATH", os.environ["PATH"])
    env["PATH"] = path
    return env


class Workspace:
    """A copy of the registry deployed to the test broker through the real engine."""

    def __init__(self, root: Path, broker: dict, engine: dict, state_dir: Path, registry: dict | None = None):
        self.root = root
        self.broker = broker
        self.registry = registry
        self.env = {
            **os.environ,
            **engine,
            "PULUMI_BACKEND_URL": f"file://{state_dir}",
            "PULUMI_CONFIG_PASSPHRASE": "e2e-only-passphrase",
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            "EVENTBUS_ROOT": str(root),
            "EVENTBUS_SCRAM_SEED": "e2e-seed",
            "KAFKA_ADMIN_USERNAME": "admin",
            "KAFKA_ADMIN_PASSWORD": broker["admin_password"],
            "NO_COLOR": "1",
            # as scripts/up.sh deploys: one state write at the end, topics of a killed deploy adopted
            "PULUMI_SKIP_CHECKPOINTS": "true",
            "EVENTBUS_ADOPT_TOPICS": "1",
        }
        for k in ("EVENTBUS_LOCAL_BOOTSTRAP", "EVENTBUS_LOCAL_SCHEMA_REGISTRY_URL"):  # a developer's up.sh shell
            self.env.pop(k, None)

    def pulumi(self, *args, check=True, timeout=900):
        return run(["pulumi", *args, "--stack", "local", "--non-interactive"], env=self.env, cwd=self.root, check=check, timeout=timeout)

    def up(self, check=True):
        # --refresh: read the live cluster first, so changes made behind the program's back are reconciled
        out = self.pulumi("up", "--yes", "--skip-preview", "--refresh", check=check)
        if out.returncode == 0:  # then the catalog, as scripts/up.sh does after the deploy (with the ids the registry gave)
            got = self.pulumi("stack", "output", "subjects", "--json", check=False)
            ids = self.root / ".state" / "schema-ids.json"
            ids.parent.mkdir(parents=True, exist_ok=True)
            ids.write_text(got.stdout if got.returncode == 0 and got.stdout.strip() else "{}")
            self.eventbus("catalog", "build", "--stack", "local", "--schema-ids", str(ids), "--out", str(self.root / ".state" / "catalog"), check=True)
        return out

    def eventbus(self, *args, check=False):
        return run([sys.executable, "-m", "eventbus.cli.main", "--root", str(self.root), *args], env=self.env, check=check)

    def edit_yaml(self, rel: str, fn) -> None:
        path = self.root / rel
        data, _ = parse_yaml(path.read_text())
        fn(data)
        path.write_text(dump_yaml(data))


@pytest.fixture(scope="module")
def workspace(tmp_path_factory, broker, registry, engine):
    root = tmp_path_factory.mktemp("registry")
    for d in ("events", "consumers", "teams"):
        shutil.copytree(REPO / d, root / d)
    (root / "infra").mkdir()
    shutil.copy(REPO / "infra" / "__main__.py", root / "infra" / "__main__.py")
    (root / "Pulumi.yaml").write_text(dump_yaml({
        "name": "eventbus", "runtime": {"name": "python", "options": {"virtualenv": str(Path(sys.executable).parent.parent)}}, "main": "infra/"}))
    for stack_file in REPO.glob("Pulumi.*.yaml"):  # every stack: they define the environments
        shutil.copy(stack_file, root / stack_file.name)
    local, _ = parse_yaml((REPO / "Pulumi.local.yaml").read_text())
    local["config"]["eventbus:cluster"]["bootstrapServers"] = [broker["bootstrap"]]
    local["config"]["eventbus:catalog"] = {"folder": str(root / ".state" / "catalog")}
    local["config"]["eventbus:schemaRegistry"] = {"kind": "confluent", "url": registry["url"]}
    (root / "Pulumi.local.yaml").write_text(dump_yaml(local))
    state_dir = tmp_path_factory.mktemp("pulumi-state")
    ws = Workspace(root, broker, engine, state_dir, registry)
    ws.pulumi_init = run(["pulumi", "stack", "init", "local", "--non-interactive"], env=ws.env, cwd=root)
    return ws


def admin_conf(broker: dict) -> dict:
    return {"bootstrap.servers": broker["bootstrap"], "security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "SCRAM-SHA-512",
            "sasl.username": "admin", "sasl.password": broker["admin_password"]}


def dumps(obj) -> str:
    return json.dumps(obj, indent=1, default=str)
