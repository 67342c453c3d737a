"""Shared fixtures: a small, valid registry written to a temporary folder that tests mutate."""
from __future__ import annotations

import copy
import datetime as dt
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from eventbus.loader.yamldoc import dump_yaml

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
        "versions": [record("RefillRequested", [field("rxId", "string"), field("icn", ["null", "string"], default=None)], "gov.va.health")],
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
    """A registry on disk, built from plain dicts; tests edit ``events``/``consumers``/``teams`` then ``write()``."""

    def __init__(self, root: Path):
        self.root = root
        self.teams = {t: team(t) for t in ("claims-team", "pharmacy", "notify")}
        self.events = copy.deepcopy(EVENTS)
        self.consumers = copy.deepcopy(CONSUMERS)
        self.stacks = copy.deepcopy(STACKS)

    def write(self) -> "Tree":
        for sub in ("events", "consumers", "teams"):
            shutil.rmtree(self.root / sub, ignore_errors=True)
        for p in self.root.glob("Pulumi.*.yaml"):
            p.unlink()
        for name, st in self.stacks.items():
            (self.root / f"Pulumi.{name}.yaml").write_text(dump_yaml(st))
        (self.root / "Pulumi.yaml").write_text("name: eventbus\nruntime: python\n")
        for tid, t in self.teams.items():
            p = self.root / "teams" / f"{tid}.yaml"
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(dump_yaml(t))
        for ref, ev in self.events.items():
            folder = self.root / "events" / ref
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "event.yaml").write_text(dump_yaml(ev["meta"]))
            for i, v in enumerate(ev["versions"], start=1):
                (folder / f"v{i}.avsc").write_text(json.dumps(v, indent=2))
            if ev.get("key") is not None:
                (folder / "key.avsc").write_text(json.dumps(ev["key"], indent=2))
            for name, payload in (ev.get("examples") or {}).items():
                (folder / "examples").mkdir(exist_ok=True)
                (folder / "examples" / name).write_text(json.dumps(payload))
        for ref, c in self.consumers.items():
            p = self.root / "consumers" / f"{ref}.yaml"
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(dump_yaml(c))
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


@pytest.fixture
def tree(tmp_path: Path) -> Tree:
    return Tree(tmp_path).write()


def run_gate(root, base=None, today=TODAY):
    from eventbus.gate import validate

    return validate(str(root), base, today)


def rule_findings(root, rule_id, base=None, today=TODAY):
    return [f for f in run_gate(root, base, today).findings if f.rule == rule_id]


@pytest.fixture(autouse=True)
def _no_colour(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("EVENTBUS_ROOT", raising=False)
    yield


os.environ.setdefault("PYTHONHASHSEED", "0")
