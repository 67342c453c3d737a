"""The gate as a whole: the fixture passes every rule, every rule is documented and tested, severities decide the exit."""
from __future__ import annotations

import os

from eventbus.gate.rules import all_rules
from eventbus.model.findings import Severity
from tests.conftest import V2, field, record, rule_findings, run_gate

CLAIM = "events/claims/claim_created"
REFILL = "events/health/refill_requested"
NOTIFIER = "consumers/notify/notifier.yaml"


def test_fixture_passes_every_rule(tree):
    result = run_gate(tree.root)
    assert result.findings == []
    assert len(result.registry.events) == 2 and len(result.registry.consumers) == 3


def test_version_gap_is_reported(tree):
    tree.write()
    folder = tree.root / "events/claims/claim_created"
    os.rename(folder / "v2.avsc", folder / "v3.avsc")
    found = rule_findings(tree.root, "version-sequence")
    assert found and "v3.avsc" in found[0].message and "v2.avsc" in found[0].message


def test_every_rule_is_documented_and_has_its_own_tests():
    from pathlib import Path

    tests = Path(__file__).resolve().parent / "rules"
    for r in all_rules():
        assert r.summary(), r.id
        assert r.hint, r.id
        if not r.emitted_by_loader and r.id != "codeowners-current":  # codeowners: tests/ownership (it reads the work tree)
            assert (tests / f"test_{r.id.replace('-', '_')}.py").is_file(), f"rule {r.id} has no tests/gate/rules/test_*.py"


def test_severities_decide_the_exit(tree):
    tree.consumers["notify/notifier"]["compliance"]["pta_date"] = "2025-01-01"
    tree.write()
    result = run_gate(tree.root)
    assert result.ok and result.warnings == 1
    assert all(f.severity is Severity.WARNING for f in result.findings)


def test_restricted_event_admits_listed_consumer(tree):
    # the owning team's allowed_consumers entry is what admits notify/notifier in the fixture
    assert rule_findings(tree.root, "restricted-access") == []
    tree.events["health/refill_requested"]["meta"]["access"]["policy"] = "open"
    tree.events["health/refill_requested"]["meta"]["access"]["allowed_consumers"] = []
    tree.write()
    assert rule_findings(tree.root, "restricted-access") == []


def test_nested_field_doc_path(tree):
    v = record("ClaimCreated", V2["fields"] + [field("ctx", ["null", record("Ctx", [field("who", "string", doc="")])], default=None)])
    tree.events["claims/claim_created"]["versions"][1] = v
    tree.write()
    found = rule_findings(tree.root, "avro-doc")
    assert [f.message for f in found] == ["field 'ctx.who' has no doc"]


def test_the_desired_state_rules_report_the_same_from_a_second_process(tree, monkeypatch):
    """On a big tree iam-policy-size and name-limits run in a forked process; what they find is what they find here."""
    import json as _json

    import eventbus.concurrency as conc
    from eventbus.gate import rules as gate_rules
    from tests.conftest import ARN

    long_id = "n" * 60
    c = _json.loads(_json.dumps(tree.consumers["notify/notifier"]))
    c["application"], c["consumer_group"] = long_id, {"name": f"notify.{long_id}"}
    tree.consumers[f"notify/{long_id}"] = c
    tree.consumers["notify/notifier"]["principals"]["prod"] = [ARN.format(f"team/path/{'x' * 140}-{i}") for i in range(15)]
    tree.write()
    here = run_gate(tree.root).findings
    assert {"name-limits", "iam-policy-size"} <= {f.rule for f in here}
    asides, start_aside = [], conc.start_aside

    def counting(fn, *a, **k):
        running = start_aside(fn, *a, **k)
        asides.append((fn, running is not None))
        return running

    monkeypatch.setattr(conc, "start_aside", counting)
    monkeypatch.setattr(gate_rules, "ASIDE_CONSUMERS", 1)
    monkeypatch.setattr("threading.active_count", lambda: 1)  # threads other tests left (servers, pools) do not count here
    there = run_gate(tree.root).findings
    assert (gate_rules._check, True) in asides  # the rules ran in the forked process
    assert there == here


def test_no_process_is_forked_while_other_threads_run(tree, monkeypatch):
    """A fork copies the locks other threads hold: with a thread running, the rules run here."""
    import threading

    from eventbus.concurrency import start_aside
    from eventbus.gate import rules as gate_rules

    monkeypatch.setattr(gate_rules, "ASIDE_CONSUMERS", 1)
    stop = threading.Event()
    t = threading.Thread(target=stop.wait, daemon=True)
    t.start()
    try:
        assert start_aside(len, "x") is None
        assert run_gate(tree.root).findings == []
    finally:
        stop.set()
        t.join()


def test_a_killed_rule_process_leaves_its_rules_to_this_one(tree, monkeypatch):
    """The forked process of the desired-state rules dies (out of memory, a signal): the rules run here, same findings."""
    import json as _json

    from eventbus.gate import rules as gate_rules

    long_id = "n" * 60
    c = _json.loads(_json.dumps(tree.consumers["notify/notifier"]))
    c["application"], c["consumer_group"] = long_id, {"name": f"notify.{long_id}"}
    tree.consumers[f"notify/{long_id}"] = c
    tree.write()
    here = run_gate(tree.root).findings
    assert "name-limits" in {f.rule for f in here}
    monkeypatch.setattr(gate_rules, "ASIDE_CONSUMERS", 1)
    monkeypatch.setattr("threading.active_count", lambda: 1)
    monkeypatch.setattr("eventbus.concurrency._call_inherited", _die)
    assert run_gate(tree.root).findings == here


def _die():
    """A worker killed mid-way (by name: a worker's function is pickled)."""
    import os

    os._exit(9)
