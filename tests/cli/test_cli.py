"""The `eventbus` command end to end (in-process and as a real subprocess)."""
from __future__ import annotations

import os
import subprocess
import sys

from eventbus.cli.main import main
from tests.conftest import REPO, run_gate


def test_new_event_and_consumer_pass_the_gate(tree, capsys):
    root = str(tree.root)
    rc = main(["--root", root, "new", "event", "--no-input", "--domain", "claims", "--name", "claim_closed", "--owner", "claims-team",
               "--title", "Claim closed", "--summary", "A claim was closed with a decision.", "--classification", "none",
               "--producer", "claims-publisher", "--principal", "prod=arn:aws-us-gov:iam::111122223333:role/claims-pub"])
    assert rc == 0, capsys.readouterr()
    assert (tree.root / "events/claims/claim_closed/event.yaml").read_text().startswith("# yaml-language-server: $schema=")
    rc = main(["--root", root, "new", "consumer", "--no-input", "--team", "notify", "--application", "closer",
               "--description", "Reacts to closed claims.", "--event", "claims/claim_closed", "--purpose", "Tell the Veteran the claim closed.",
               "--environment", "prod", "--principal", "prod=arn:aws-us-gov:iam::111122223333:role/closer", "--vasi-id", "42", "--fisma-level", "Moderate"])
    assert rc == 0
    result = run_gate(tree.root)
    assert [f.one_line() for f in result.findings] == []
    assert "claims/claim_closed" in result.registry.events_by_ref


def test_new_event_declares_a_new_producer_application_once(tree, capsys):
    root = str(tree.root)
    base = ["--root", root, "new", "event", "--no-input", "--domain", "claims", "--name", "claim_reopened", "--owner", "claims-team",
            "--title", "Claim reopened", "--summary", "A closed claim was reopened.", "--classification", "none", "--producer", "reopener"]
    assert main(base) == 1  # a new application needs its compliance facts
    assert "missing --vasi-id --fisma-level" in capsys.readouterr().err
    assert not (tree.root / "events/claims/claim_reopened").exists()
    rc = main(base + ["--principal", "prod=arn:aws-us-gov:iam::111122223333:role/reopener", "--vasi-id", "77", "--fisma-level", "Low"])
    assert rc == 0, capsys.readouterr()
    app = (tree.root / "consumers/claims-team/reopener.yaml").read_text()
    assert "role/reopener" in app and "subscriptions" not in app
    assert "principals" not in (tree.root / "events/claims/claim_reopened/event.yaml").read_text()
    assert [f.one_line() for f in run_gate(tree.root).findings] == []


def test_new_refuses_to_overwrite_and_reports_missing_flags(tree, capsys):
    root = str(tree.root)
    args = ["--root", root, "new", "event", "--no-input", "--domain", "claims", "--name", "claim_created", "--owner", "claims-team",
            "--title", "Claim created", "--summary", "A claim was created again.", "--classification", "none", "--producer", "p-one"]
    before = (tree.root / "events/claims/claim_created/event.yaml").read_text()
    assert main(args) == 1
    assert "already exists" in capsys.readouterr().err
    assert (tree.root / "events/claims/claim_created/event.yaml").read_text() == before
    assert main(["--root", root, "new", "consumer", "--no-input", "--team", "notify"]) == 1
    assert "missing --application" in capsys.readouterr().err
    assert main(["--root", root, "new", "event", "--no-input", "--domain", "Bad-Domain"]) == 1


def test_rules_doc_is_current():
    from eventbus.gate.docs import rules_markdown

    with open(REPO / "docs/rules.md") as fh:
        assert fh.read() == rules_markdown(), "docs/rules.md is stale: run `eventbus rules --markdown > docs/rules.md`"


def test_exit_codes_and_no_traceback_in_a_real_process(tree):
    exe = [sys.executable, "-m", "eventbus.cli.main"]
    env = {**os.environ, "NO_COLOR": "1"}
    ok = subprocess.run(exe + ["--root", str(tree.root), "validate"], capture_output=True, text=True, env=env)
    assert ok.returncode == 0 and "gate passed" in ok.stdout
    (tree.root / "teams/notify.yaml").write_bytes(b"\xff\xfe garbage")
    bad = subprocess.run(exe + ["--root", str(tree.root), "validate"], capture_output=True, text=True, env=env)
    assert bad.returncode == 1 and "teams/notify.yaml:1:1: error [file-encoding]" in bad.stdout and "Traceback" not in bad.stderr
    usage = subprocess.run(exe + ["validate", "--format", "xml"], capture_output=True, text=True, env=env)
    assert usage.returncode == 2 and "Traceback" not in usage.stderr
    missing = subprocess.run(exe + ["--root", str(tree.root / "nope"), "validate"], capture_output=True, text=True, env=env)
    assert missing.returncode == 2 and "no such folder" in missing.stderr


def test_credentials_of_an_adopted_application_that_keeps_its_scram_credential(capsys, monkeypatch, tmp_path):
    """The local stack manages SCRAM users, but an application whose adoption record keeps its own
    credential gets no derived password (it would not be its password)."""
    from tests.conftest import Tree
    from tests.desired.test_adoption import LOCAL
    from tests.gate.rules.adoption_fixture import record

    t = Tree(tmp_path / "registry")
    t.stacks["local"] = LOCAL
    t.adoptions["local"] = {**record(**{"notify/notifier": {"kafka_user": "notifier-svc", "credential": "keep"}}), "stack": "local"}
    t.write()
    monkeypatch.setenv("EVENTBUS_SCRAM_SEED", "seed-for-tests")
    assert main(["--root", str(t.root), "credentials", "notify/notifier", "--stack", "local"]) == 0
    out = capsys.readouterr().out
    assert "sasl.username=notifier-svc" in out and "sasl.password=<PASSWORD>" in out and "keeps the SCRAM credential" in out
    assert main(["--root", str(t.root), "credentials", "claims-team/claims-publisher", "--stack", "local"]) == 0
    out = capsys.readouterr().out
    assert "sasl.password=<PASSWORD>" not in out and "sasl.password=" in out


def test_drift_and_import_without_an_admin_password_and_deploy_without_pulumi(tree, tmp_path, monkeypatch, capsys):
    """No running broker or engine: one 'error:' line saying what to do, exit 2 (was 'internal error:
    KafkaException ... sasl.password must be set' and 'internal error: FileNotFoundError: pulumi')."""
    from tests.desired.test_adoption import LOCAL

    tree.stacks["local"] = LOCAL
    tree.write()
    monkeypatch.delenv("KAFKA_ADMIN_PASSWORD", raising=False)
    monkeypatch.setenv("EVENTBUS_STATE", str(tmp_path / "no-state"))
    monkeypatch.setenv("PULUMI", str(tmp_path / "no-pulumi"))
    root = ["--root", str(tree.root)]
    for argv in (["drift", "--stack", "local"], ["import", "--stack", "local", "--no-input", "--out", str(tmp_path / "draft")]):
        assert main([*root, *argv]) == 2
        err = capsys.readouterr().err
        assert "error: no admin password for the cluster: set KAFKA_ADMIN_PASSWORD" in err and "internal error" not in err, err
    assert main([*root, "deploy", "--stack", "local", "--preview"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: no Pulumi CLI:") and len(err.splitlines()) == 1, err
