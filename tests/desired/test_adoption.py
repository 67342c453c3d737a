"""The desired state with an adoption record: import ids on what was found live, the legacy names
applied once, the settings and bindings kept as found, and the recorded "before" for the plan."""
from __future__ import annotations

from eventbus.desired import compute
from eventbus.load.registry import load_registry
from eventbus.load.stacks import load_stack
from tests.conftest import Tree
from tests.gate.rules.adoption_fixture import record

LOCAL = {"config": {"eventbus:environment": "prod", "eventbus:target": "local", "eventbus:replicationFactor": 1, "eventbus:minInsyncReplicasCap": 1,
                    "eventbus:cluster": {"bootstrapServers": ["127.0.0.1:19092"], "saslMechanism": "scram-sha512", "tls": False},
                    "eventbus:schemaRegistry": {"kind": "confluent", "url": "http://127.0.0.1:18081"}}}


def state(t: Tree, stack: str):
    fs = t.fs()
    return compute(load_registry(fs.root, fs=fs).registry, load_stack(fs.root, stack, fs))


def tree(stack: str = "local", **apps) -> Tree:
    t = Tree()
    t.stacks["local"] = LOCAL
    t.adoptions[stack] = {**record(**apps), "stack": stack}
    t.adoptions[stack]["topics"]["claims_claim_created"]["kept_config"] = {"segment.ms": "3600000", "retention.ms": "1"}
    return t


def test_sasl_stack_adopts_topics_subjects_and_principals_with_legacy_names():
    legacy = {"notify/notifier": {"kafka_user": "notifier-svc", "credential": "keep", "consumer_group": {"name": "notifier-consumers"},
                                  "kept_acls": [{"resource_type": "Topic", "name": "claims_claim_created", "operation": "Create"},
                                                {"resource_type": "Group", "name": "old-", "pattern": "Prefixed", "operation": "Read"}]}}
    d = state(tree(**legacy), "local")
    t = d.topics_by_name["claims_claim_created"]
    assert t.adopt == "claims_claim_created" and d.topics_by_name["health_refill_requested"].adopt is None
    assert t.config_dict["segment.ms"] == "3600000" and t.config_dict["retention.ms"] == "604800000"  # the tree's settings win over kept ones
    assert {s.name: s.adopt for s in d.subjects} == {"claims_claim_created-key": "claims_claim_created-key", "claims_claim_created-value": "claims_claim_created-value",
                                                     "health_refill_requested-value": None}
    app = d.apps_by_ref["notify/notifier"]
    assert (app.kafka_user, app.adopt, app.keep_credential, app.group) == ("notifier-svc", "User:notifier-svc", True, "notifier-consumers")
    acls = d.acls_by_app["notify/notifier"]
    assert {a.principal for a in acls} == {"User:notifier-svc"}
    assert ("Group", "notifier-consumers", "Literal", "Read") in {(a.resource_type, a.resource_name, a.pattern, a.operation) for a in acls}
    kept = sorted((a.resource_type, a.resource_name, a.operation, a.event) for a in acls if a.kept)
    assert kept == [("Group", "old-", "Read", ""), ("Topic", "claims_claim_created", "Create", "claims/claim_created")]
    other = d.apps_by_ref["claims-team/claims-publisher"]  # not in the record: derived, created
    assert other.kafka_user == "claims-team.claims-publisher" and other.adopt is None and not other.keep_credential
    # the "before" the plan shows: what was recorded
    (found,) = d.recorded_topics
    assert found.partitions == 3 and found.replication_factor == 3 and found.config_dict["segment.ms"] == "3600000"
    assert [v for v, _ in next(s for s in d.recorded_subjects if s.kind == "value").versions] == [1, 2]


def test_iam_stack_adopts_the_legacy_role():
    d = state(tree("prod", **{"notify/notifier": {"role": "NotifierReader", "credential": "keep"}}), "prod")
    role = d.roles_by_app["notify/notifier"]
    assert role.name == "NotifierReader" and role.adopt == "NotifierReader" and role.arn.endswith(":role/NotifierReader")
    assert d.apps_by_ref["notify/notifier"].role == "NotifierReader"
    assert not d.apps_by_ref["notify/notifier"].keep_credential  # no SCRAM users on an IAM stack
    assert d.roles_by_app["pharmacy/refill-api"].adopt is None
    assert d.acls == ()


def test_a_record_of_another_stack_changes_nothing_here():
    d = state(tree("prod"), "local")
    assert not any(t.adopt for t in d.topics) and not any(a.adopt for a in d.apps) and d.recorded_topics == ()
