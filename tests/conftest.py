"""Shared fixtures: a small, valid registry written to a temporary folder that tests mutate."""
from __future__ import annotations

import atexit
import copy
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis.configuration import set_hypothesis_home_dir

from eventbus.load.yaml import dump_yaml

REPO = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 26)

ARN = "arn:aws-us-gov:iam::111122223333:role/{}"

STACKS = {
    "sandbox": {"config": {"eventbus:environment": "sandbox", "eventbus:allowedClassifications": ["none"], "eventbus:topicSuffix": "_sandbox",
                           "eventbus:cluster": {"arn": "arn:aws-us-gov:kafka:us-gov-west-1:123456789012:cluster/eeb-sandbox/abc-1", "bootstrapServers": ["b-1.example:9098"]}}},
    "prod": {"config": {"eventbus:environment": "prod", "eventbus:allowedClassifications": ["none", "PII", "PHI"],
                        "eventbus:cluster": {"arn": "arn:aws-us-gov:kafka:us-gov-west-1:123456789012:cluster/eeb-prod/def-2", "bootstrapServers": ["b-1.example:9098"]}}},
}


def team(tid: str) -> dict:
    return {
        "id": tid,
        "name": tid.replace("-", " ").title(),
        "github_team": f"@example-org/{tid}",
        "contacts": [{"name": "Pat Example", "email": f"pat.{tid}@example.va.gov", "role": "lead"}],
        "product_owner": {"name": "Sam Owner", "email": "sam@example.va.gov"},
    }


def record(name: str, fields: list[dict], namespace: str = "gov.va.test") -> dict:
    return {"type": "record", "name": name, "namespace": namespace, "doc": f"{name} event.", "fields": fields}


def field(name: str, typ, doc: str = "A documented field.", **kw) -> dict:
    return {"name": name, "type": typ, "doc": doc, **kw}


V1 = record("ClaimCreated", [field("claimId", "long"), field("status", {"type": "enum", "name": "Status", "symbols": ["OPEN", "CLOSED"], "doc": "Status."})])
V2 = record("ClaimCreated", V1["fields"] + [field("note", ["null", "string"], default=None)])

EVENTS = {
    "claims/claim_created": {
        "meta": {
            "title": "Claim created",
            "summary": "A claim was established in the claims system.",
            "description": "Published once per claim.",
            "owner": "claims-team",
            "domain": "claims",
            "lifecycle": "production",
            "classification": {"data": "none"},
            "producers": [{"application": "claims-publisher"}],
            "topic": {"partitions": 3},
            "schema": {"compatibility": "BACKWARD", "key": "key.avsc"},
            "tags": ["claims"],
        },
        "versions": [V1, V2],
        "key": {"type": "string", "doc": "Claim id."},
        "examples": {"one.json": {"claimId": 1, "status": "OPEN", "note": None}},
    },
    "health/refill_requested": {
        "meta": {
            "title": "Refill requested",
            "summary": "A Veteran asked for a prescription refill.",
            "owner": "pharmacy",
            "domain": "health",
            "lifecycle": "production",
            "classification": {"data": "PHI", "bip_sourced": True},
            "producers": [{"application": "refill-api", "idempotent": True}],
            "access": {"policy": "restricted", "allowed_consumers": ["notify/notifier"]},
        },
        "versions": [record("RefillRequested", [field("rxId", "string"), field("icn", ["null", "string"], default=None, classification="PII")], "gov.va.health")],
        "examples": {"one.json": {"rxId": "rx-1", "icn": None}},
    },
}

CONSUMERS = {
    "notify/notifier": {
        "application": "notifier",
        "team": "notify",
        "description": "Sends notifications to Veterans.",
        "principals": {"prod": [ARN.format("notifier")], "sandbox": [ARN.format("notifier-sbx")]},
        "subscriptions": [
            {"event": "claims/claim_created", "purpose": "Tell Veterans their claim was received.", "environments": ["sandbox", "prod"]},
            {"event": "health/refill_requested", "purpose": "Confirm the refill request to the Veteran.", "environments": ["prod"]},
        ],
        "compliance": {
            "vasi_id": "1234", "emass_id": "99", "fisma_level": "Moderate", "ato_status": "ATO", "ato_expires": "2027-12-31",
            "pta_date": "2026-06-01", "pia_date": "2025-01-01", "data_sharing_agreement": "DSA-1",
            "obi_approvals": [{"event": "health/refill_requested", "reference": "OBI-77", "environments": ["prod"]}],
        },
    },
}


def producer_app(team_id: str, application: str, principals: dict) -> dict:
    """An application file for an application that only produces."""
    return {
        "application": application,
        "team": team_id,
        "description": f"Publishes the events of {team_id}.",
        "principals": principals,
        "compliance": {"vasi_id": "4321", "fisma_level": "Moderate", "ato_status": "ATO"},
    }


CONSUMERS["claims-team/claims-publisher"] = producer_app("claims-team", "claims-publisher", {"prod": [ARN.format("claims-pub")], "sandbox": [ARN.format("claims-pub-sbx")]})
CONSUMERS["pharmacy/refill-api"] = producer_app("pharmacy", "refill-api", {"prod": [ARN.format("refill-api")]})


class Tree:
    """A registry built from plain dicts; tests edit ``events``/``consumers``/``teams``/``stacks``,
    then read it in memory (``fs()``, nothing written) or ``write()`` it to ``root``."""

    def __init__(self, root: Path | None = None):
        self.root = root
        self.teams = {t: team(t) for t in ("claims-team", "pharmacy", "notify")}
        self.events = copy.deepcopy(EVENTS)
        self.consumers = copy.deepcopy(CONSUMERS)
        self.stacks = copy.deepcopy(STACKS)
        self.adoptions: dict[str, dict] = {}  # stack -> adopt/<stack>.yaml

    def files(self) -> dict[str, str]:
        """Repository-relative path -> text of every file of the tree."""
        out = {f"Pulumi.{name}.yaml": dump_yaml(st) for name, st in self.stacks.items()}
        out["Pulumi.yaml"] = "name: eventbus\nruntime: python\n"
        out.update({f"teams/{tid}.yaml": dump_yaml(t) for tid, t in self.teams.items()})
        for ref, ev in self.events.items():
            folder = f"events/{ref}"
            out[f"{folder}/event.yaml"] = dump_yaml(ev["meta"])
            for i, v in enumerate(ev["versions"], start=1):
                out[f"{folder}/v{i}.avsc"] = json.dumps(v, indent=2)
            if ev.get("key") is not None:
                out[f"{folder}/key.avsc"] = json.dumps(ev["key"], indent=2)
            for name, payload in (ev.get("examples") or {}).items():
                out[f"{folder}/examples/{name}"] = json.dumps(payload)
        out.update({f"consumers/{ref}.yaml": dump_yaml(c) for ref, c in self.consumers.items()})
        out.update({f"adopt/{stack}.yaml": dump_yaml(a) for stack, a in self.adoptions.items()})
        return out

    def fs(self, root: str = "/registry"):
        """The tree as an in-memory file system (what the loader reads from a git commit)."""
        from eventbus.load.fs import MemoryFS

        return MemoryFS(root, {path: text.encode() for path, text in self.files().items()}, {})

    def write(self) -> Tree:
        assert self.root is not None, "a tree in memory has no root: use fs()"
        for sub in ("events", "consumers", "teams", "adopt"):
            shutil.rmtree(self.root / sub, ignore_errors=True)
        for p in self.root.glob("Pulumi.*.yaml"):
            p.unlink()
        for path, text in self.files().items():
            target = self.root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
        return self

    def git(self, *args: str) -> str:
        return subprocess.run(["git", "-C", str(self.root), *args], check=True, capture_output=True, text=True).stdout

    def commit(self, message: str = "change") -> str:
        if not (self.root / ".git").exists():
            self.git("init", "-q", "-b", "main")
            self.git("config", "user.email", "t@example.com")
            self.git("config", "user.name", "t")
        self.git("add", "-A")
        self.git("commit", "-qm", message, "--allow-empty")
        return self.git("rev-parse", "HEAD").strip()


EVENTBUS = str(Path(sys.executable).parent / "eventbus")


def codeowners(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([EVENTBUS, "--root", str(root), "codeowners", *args], capture_output=True, text=True,
                          env={**os.environ, "NO_COLOR": "1"})


@pytest.fixture
def git_tree(tmp_path) -> Tree:
    """The small valid registry as a git repository on `main`, with its generated CODEOWNERS."""
    root = tmp_path / "repo"
    root.mkdir()
    t = Tree(root).write()
    (root / ".gitignore").write_text("/out/\n")
    assert codeowners(root).returncode == 0
    t.commit("base")
    return t


@pytest.fixture
def tree(tmp_path: Path) -> Tree:
    return Tree(tmp_path).write()


def check_rule(tree: Tree, rule_id: str, base: Tree | None = None, today=TODAY):
    """One rule's findings on ``tree`` held in memory (and its history against ``base``)."""
    from eventbus.gate import check
    from eventbus.gate.rules import all_rules
    from eventbus.load.registry import load_registry

    rule = next(r for r in all_rules() if r.id == rule_id)
    fs = tree.fs()
    base_registry = None
    if base is not None:
        base_fs = base.fs("/base")
        base_registry = load_registry(base_fs.root, fs=base_fs).registry
    return [f for f in check(fs.root, fs=fs, base=base_registry, today=today, rules=[rule]).findings if f.rule == rule_id]


def line_of(tree: Tree, path: str, needle: str) -> int:
    """1-based line of the first ``needle`` in a file of ``tree``."""
    text = tree.files()[path]
    return text[: text.index(needle)].count("\n") + 1


def run_gate(root, base=None, today=TODAY):
    from eventbus.gate import validate

    return validate(str(root), base, today)


def rule_findings(root, rule_id, base=None, today=TODAY):
    return [f for f in run_gate(root, base, today).findings if f.rule == rule_id]


# Hypothesis keeps its examples and caches with the other caches, not in the work tree
set_hypothesis_home_dir(str(REPO / ".cache" / "hypothesis"))

# what tests may leave behind in the work tree: build caches, the virtualenv, Python's own caches
_MAY_CHANGE = (".venv/", ".cache/", "node_modules/", ".pytest_cache/")


def _work_tree_status() -> set[str]:
    out = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--ignored=matching", "--untracked-files=all"],
                         capture_output=True, text=True).stdout
    paths = {line[3:] for line in out.splitlines()}
    return {p for p in paths if not p.startswith(_MAY_CHANGE) and "__pycache__/" not in p and ".egg-info/" not in p}


@pytest.fixture(autouse=True, scope="module")
def _repository_untouched(request):
    """Tests never write into the repository: a module that leaves the work tree changed fails."""
    before = _work_tree_status()
    yield
    changed = _work_tree_status() ^ before
    assert not changed, f"{request.module.__name__} changed the repository's work tree: {sorted(changed)[:10]}"


@pytest.fixture(autouse=True)
def _no_colour(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("EVENTBUS_ROOT", raising=False)
    yield


os.environ.setdefault("PYTHONHASHSEED", "0")
# the persistent Avro cache (eventbus.avro.cache) stays off: no test depends on it being warm, and
# none writes to the user's cache folder (tests/avro/test_cache.py turns it on in tmp_path)
os.environ["EVENTBUS_AVRO_CACHE"] = "off"
# the parse cache (eventbus.load.cache) stays on, as users run the gate, in a folder of this run's own: every test
# that validates a tree on disk reads it through the cache (cold, and warm when a tree is read again)
_USER_CACHE = tempfile.mkdtemp(prefix="eventbus-test-cache-")
os.environ["EVENTBUS_USER_CACHE"] = _USER_CACHE
atexit.register(shutil.rmtree, _USER_CACHE, True)
