"""The program with an adoption record: what was found live gets Pulumi's import option (the id
from the desired state, never re-derived), an adopted SCRAM credential is left alone, and the
killed-deploy fallback (EVENTBUS_ADOPT_TOPICS) goes through the same import id."""
from __future__ import annotations

from eventbus.adapters.pulumi_program.components import import_id
from eventbus.desired import TopicSpec
from tests.adapters.test_pulumi_program import _catalogs, _fresh_runtime, catalog_dirs, expected_urns, run_program  # noqa: F401 - fixtures
from tests.desired.test_adoption import tree

LEGACY = {"notify/notifier": {"kafka_user": "notifier-svc", "credential": "keep", "consumer_group": {"name": "notifier-consumers"}},
          "pharmacy/refill-api": {"kafka_user": "refill-api-legacy"}}


def test_local_program_imports_what_the_record_holds(tmp_path):
    t = tree(**LEGACY)
    t.root = tmp_path
    t.write()
    run = run_program("local", root=tmp_path)
    mocks = run.mocks
    assert run.of("kafka:index/topic:Topic", "claims_claim_created").import_id == "claims_claim_created"
    assert run.of("kafka:index/topic:Topic", "health_refill_requested").import_id == ""  # none
    assert run.of("eventbus:registry:Subject", "claims_claim_created-value").import_id == "claims_claim_created-value"
    assert run.of("eventbus:registry:Subject", "health_refill_requested-value").import_id == ""
    principals = {r.name: r.inputs for r in mocks.created if r.typ == "eventbus:kafka:Principal"}
    assert run.of("eventbus:kafka:Principal", "notifier-svc").import_id == "User:notifier-svc"
    assert "scram" not in principals["notifier-svc"]  # its own password stays: the credential is not the stack's to manage
    assert principals["notifier-svc"]["keepScram"] is True  # and a credential the stack managed before is left, not deleted
    assert "scram" in principals["refill-api-legacy"] and "keepScram" not in principals["refill-api-legacy"]  # adopted principal, the stack's credential
    assert run.of("eventbus:kafka:Principal", "claims-team.claims-publisher").import_id == ""
    assert run.urns == expected_urns("local", tmp_path)  # the legacy names name the resources, under the same components
    topic = next(r.inputs for r in mocks.created if r.typ == "kafka:index/topic:Topic" and r.name == "claims_claim_created")
    assert topic["config"]["segment.ms"] == "3600000"  # kept as found


def test_iam_program_imports_the_legacy_role(tmp_path):
    t = tree("prod", **{"notify/notifier": {"role": "NotifierReader"}})
    t.root = tmp_path
    t.write()
    run = run_program("prod", root=tmp_path)
    role = next(r for r in run.mocks.created if r.typ == "aws:iam/role:Role" and r.inputs["name"] == "NotifierReader")
    assert run.of("aws:iam/role:Role", role.name).import_id == "NotifierReader"
    imported = [r.name for r in run.monitor.registered if r.type == "aws:iam/role:Role" and r.import_id]
    assert imported == [role.name]


def test_one_import_id_for_the_record_and_the_killed_deploy_fallback():
    spec = TopicSpec("t", "d/e", 1, 1, (), False, "none", "production", False)
    assert import_id(spec, set()) is None
    assert import_id(spec, {"t"}) == "t"  # EVENTBUS_ADOPT_TOPICS: on the cluster, not in the state
    assert import_id(TopicSpec("t", "d/e", 1, 1, (), False, "none", "production", False, adopt="t"), set()) == "t"


def test_an_adopted_principal_or_role_is_released_not_deleted(tmp_path):
    """Retained on delete: when the record lets the legacy identity go, the engine deletes what the
    state holds under its old name (the adopted role NotifierReader, the bindings of User:notifier-svc)
    unless the state says to retain it; derived identities are the stack's and are deleted as before."""
    t = tree("prod", **{"notify/notifier": {"role": "NotifierReader"}})
    t.root = tmp_path
    t.write()
    run = run_program("prod", root=tmp_path)
    roles = {r.import_id: r.retain_on_delete for r in run.monitor.registered if r.type == "aws:iam/role:Role"}
    assert roles == {"NotifierReader": True, "": False}
    local = tmp_path / "local"
    t = tree(**LEGACY)
    t.root = local
    t.write()
    run = run_program("local", root=local)
    principals = {r.name: r.retain_on_delete for r in run.monitor.registered if r.type == "eventbus:kafka:Principal"}
    assert principals["notifier-svc"] is True and principals["refill-api-legacy"] is True
    assert principals["claims-team.claims-publisher"] is False
