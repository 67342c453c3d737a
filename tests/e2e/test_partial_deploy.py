"""The narrowed deploy (``eventbus deploy``) for real: the engine, the broker and the registry.

A merge's deploy declares only the components its change touches and runs with ``--target`` and
``--target-dependents``. What must hold, checked here against the real engine:
* untargeted resources, declared or not, are neither deleted nor changed (their state is kept
  byte for byte), and a full preview afterwards finds nothing left to do;
* a removed application is deleted (it is a target the program leaves out);
* what the engine may delete in a targeted run is exactly what ``narrow.deletable`` computes
  from the state, so the check that refuses an unsafe narrowing sees what the engine would do;
* anything it cannot narrow safely (no record, a failed deploy, a program change) deploys in full.
"""
from __future__ import annotations

import json
import sys

import pytest

from eventbus.adapters.kafka_admin import read_live
from eventbus.adapters.pulumi_program.narrow import TAG, deletable
from eventbus.adapters.pulumi_program.scope import APPLICATION, ENV, EVENT, Scope
from tests.e2e.conftest import admin_conf, run
from tests.e2e.test_local_deploy import desired, drift, topic_ids

pytestmark = pytest.mark.e2e

SUBSCRIBER = "consumers/va-notify/refill-notifier.yaml"
NEW_TOPIC_EVENT = "health/appointment_booked"
REMOVED = "consumers/health-appointments/appointment-reminders.yaml"
REMOVED_REF, REMOVED_USER = "health-appointments/appointment-reminders", "health-appointments.appointment-reminders"
CHANGED_EVENT = "claims/claim_lifecycle_status"


@pytest.fixture(scope="module")
def ws(workspace):
    (workspace.root / ".gitignore").write_text(".state/\n")
    git(workspace, "init", "-q", "-b", "main")
    commit(workspace, "base")
    return workspace


def git(ws, *args: str) -> str:
    return run(["git", "-C", str(ws.root), "-c", "user.email=e2e@example.com", "-c", "user.name=e2e", *args]).stdout


def commit(ws, message: str) -> str:
    git(ws, "add", "-A")
    git(ws, "commit", "-qm", message)
    return git(ws, "rev-parse", "HEAD").strip()


def deploy(ws, *options: str, check: bool = True):
    out = run([sys.executable, "-m", "eventbus.cli.main", "--root", str(ws.root), "deploy", "--stack", "local", *options,
               "--", "--yes", "--skip-preview", "--non-interactive"], env=ws.env, cwd=ws.root, check=check)
    out.decision = next((line for line in out.stderr.splitlines() if line.startswith("[deploy] ")), "")
    return out


def engine_owned(u: str) -> bool:
    """The stack (its outputs are written by every run) and the providers (always part of a run)."""
    return "::pulumi:pulumi:Stack::" in u or "::pulumi:providers:" in u


def state(ws) -> dict[str, dict]:
    """The state by URN, secrets in plain text (the engine encrypts every secret anew when it saves
    the state, so ciphertexts differ even where nothing changed)."""
    return {r["urn"]: r for r in json.loads(ws.pulumi("stack", "export", "--show-secrets").stdout)["deployment"]["resources"]}


def tag(ws) -> str | None:
    got = ws.pulumi("stack", "tag", "get", TAG, check=False)
    return got.stdout.strip() if got.returncode == 0 else None


def urn(kind: str, name: str) -> str:
    return f"urn:pulumi:local::eventbus::{kind}::{name}"


def owned_by(resources: dict[str, dict], top: str) -> set[str]:
    """``top`` and its children, transitively."""
    out = {top}
    while True:
        more = {u for u, r in resources.items() if r.get("parent") in out} - out
        if not more:
            return out
        out |= more


def test_01_the_first_deploy_is_full_and_recorded(ws):
    out = deploy(ws)
    assert "full deploy: the stack has no resources yet" in out.decision, out.stderr[-2000:]
    assert tag(ws).split()[0] == git(ws, "rev-parse", "HEAD").strip()
    assert drift(ws).clean


def test_02_a_change_outside_the_resources_deploys_nothing(ws):
    before = state(ws)
    (ws.root / "docs").mkdir(exist_ok=True)
    (ws.root / "docs" / "notes.md").write_text("Notes.\n")
    head = commit(ws, "docs only")
    out = deploy(ws)
    assert out.decision.startswith("[deploy] nothing to deploy"), out.decision
    assert "Updating" not in out.stdout  # the engine did not run
    assert state(ws) == before and tag(ws).split()[0] == head


def test_03_one_subscription_is_narrowed_and_nothing_else_is_touched(ws):
    before, ids = state(ws), topic_ids(ws)
    ws.edit_yaml(SUBSCRIBER, lambda d: d["subscriptions"].append(
        {"event": NEW_TOPIC_EVENT, "purpose": "Remind Veterans of the appointment with their refill.", "environments": ["prod"]}))
    head = commit(ws, "subscribe")
    out = deploy(ws)
    assert "partial deploy: 0 event(s) and 1 application(s) changed" in out.decision, out.decision
    after = state(ws)
    changed = owned_by(before, urn(APPLICATION, "va-notify/refill-notifier"))
    assert set(after) == set(before)  # nothing deleted, nothing added
    assert [u for u in before if u not in changed and after[u] != before[u] and not engine_owned(u)] == []
    principal = next(u for u in changed if "Principal" in u)
    assert {a["resourceName"] for a in after[principal]["inputs"]["acls"]} - {a["resourceName"] for a in before[principal]["inputs"]["acls"]} \
        == {"health_appointment_booked"}
    # the stack outputs stay whole: every application and every subject
    outputs = after[urn("pulumi:pulumi:Stack", "eventbus-local")]["outputs"]
    assert outputs["subjects"] == before[urn("pulumi:pulumi:Stack", "eventbus-local")]["outputs"]["subjects"]
    assert set(outputs["applications"]) == set(before[urn("pulumi:pulumi:Stack", "eventbus-local")]["outputs"]["applications"])
    assert topic_ids(ws) == ids and tag(ws).split()[0] == head
    d = drift(ws)
    assert d.clean, "\n".join(d.lines)
    full = ws.pulumi("preview", "--expect-no-changes", check=False)  # the whole program finds nothing left to do
    assert full.returncode == 0, full.stdout[-3000:]


def test_04_a_removed_application_is_deleted_and_only_it(ws):
    before = state(ws)
    assert not [e for e in desired(ws).apps if e.ref == REMOVED_REF and e.produces], "the application to remove produces nothing"
    (ws.root / REMOVED).unlink()
    commit(ws, "remove an application")
    out = deploy(ws)
    assert "partial deploy: 0 event(s) and 1 application(s) changed" in out.decision, out.decision
    after = state(ws)
    gone = owned_by(before, urn(APPLICATION, REMOVED_REF))
    assert len(gone) == 2 and set(before) - set(after) == gone  # its component and its principal, nothing else
    assert [u for u in after if after[u] != before[u] and not engine_owned(u)] == []
    live = read_live(admin_conf(ws.broker))
    assert not [a for a in live.acls if REMOVED_USER in str(a)]
    d = drift(ws)
    assert d.clean, "\n".join(d.lines)


def test_05_a_changed_event_updates_its_topic_and_keeps_its_readers(ws):
    before, ids = state(ws), topic_ids(ws)
    ws.edit_yaml(f"events/{CHANGED_EVENT}/event.yaml", lambda d: d["topic"].update(partitions=d["topic"]["partitions"] + 2))
    commit(ws, "more partitions")
    out = deploy(ws)
    assert "partial deploy: 1 event(s) and 0 application(s) changed" in out.decision, out.decision
    after = state(ws)
    assert set(after) == set(before) and topic_ids(ws) == ids  # readers kept, no topic recreated
    topic = desired(ws).topic_by_event[CHANGED_EVENT]
    assert read_live(admin_conf(ws.broker)).topics[topic.name].partitions == topic.partitions
    full = ws.pulumi("preview", "--expect-no-changes", check=False)
    assert full.returncode == 0, full.stdout[-3000:]


def _planned_deletes(ws, targets: list[str], scope: Scope, tmp_path) -> set[str]:
    path = tmp_path / "scope.json"
    scope.dump(str(path))
    env = {**ws.env, ENV: str(path)}
    out = run(["pulumi", "preview", "--json", "--stack", "local", "--non-interactive", "--target-dependents", *(f"--target={t}" for t in targets)],
              env=env, cwd=ws.root, check=False)
    steps = json.loads(out.stdout).get("steps") or []
    return {s["urn"] for s in steps if s["op"] == "delete"}


def test_06_what_the_engine_may_delete_is_what_we_compute(ws, tmp_path):
    resources = list(state(ws).values())
    event = urn(EVENT, CHANGED_EVENT)
    expected = deletable(resources, [event])
    readers = {r["urn"] for r in resources if r.get("type") == APPLICATION and set(r.get("dependencies") or ()) & expected}
    assert len(readers) >= 2 and len(expected) > 2 + 2 * len(readers)  # the event, its topic and subjects, its readers and their principals
    # a program that declares nothing: the engine would delete the target and everything depending on it
    assert _planned_deletes(ws, [event], Scope(frozenset(), frozenset()), tmp_path) == expected
    # one that declares every event and every reader but one: exactly that reader would go (what narrow.unsafe reports)
    keep = sorted(r.split("::")[-1] for r in readers)
    every_event = frozenset(t.event for t in desired(ws).topics)
    assert _planned_deletes(ws, [event], Scope(every_event, frozenset(keep[1:])), tmp_path) == owned_by(state(ws), urn(APPLICATION, keep[0]))
    assert state(ws).keys() == {r["urn"] for r in resources}  # previews only: nothing changed


def test_07_a_failed_deploy_leaves_no_record_and_the_next_one_is_full(ws):
    schema = ws.root / f"events/{CHANGED_EVENT}/v1.avsc"
    good = schema.read_text()
    schema.write_text("{broken")
    commit(ws, "broken schema")
    failed = deploy(ws, check=False)
    assert failed.returncode != 0 and tag(ws) is None
    schema.write_text(good)
    commit(ws, "fixed")
    out = deploy(ws)
    assert "full deploy: no record of the last deployed commit" in out.decision, out.decision
    assert tag(ws) is not None


def test_08_a_change_of_the_program_deploys_in_full(ws):
    (ws.root / "infra" / "notes.txt").write_text("the program's folder changed\n")
    commit(ws, "program")
    out = deploy(ws)
    assert "full deploy: infra/notes.txt changed since the last deploy" in out.decision, out.decision


def test_09_a_work_tree_with_changes_is_deployed_but_not_recorded(ws):
    draft = ws.root / "docs" / "draft.md"
    draft.write_text("Not committed.\n")
    out = deploy(ws)
    assert tag(ws) is None and "nothing recorded, the next deploy is full" in out.stderr
    draft.unlink()
    assert "full deploy: no record" in deploy(ws).decision
