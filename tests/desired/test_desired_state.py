"""Desired state: exactly the access subscriptions and productions imply, no more; deterministic; stacks validated."""
from __future__ import annotations

import json
import random

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventbus.desired import compute
from eventbus.load.registry import load_registry
from eventbus.load.stacks import StackError, load_stack
from eventbus.model.naming import role_name
from tests.conftest import STACKS

AWS_PROD = {"config": {**STACKS["prod"]["config"], "eventbus:iamRolePrefix": "eeb-prod", "aws:region": "us-gov-west-1", "eventbus:protect": True,
                       "eventbus:schemaRegistry": {"kind": "glue", "name": "eeb-prod"}}}
AWS_SANDBOX = {"config": {**STACKS["sandbox"]["config"], "eventbus:iamRolePrefix": "eeb-sbx", "aws:region": "us-gov-west-1",
                          "eventbus:schemaRegistry": {"kind": "glue", "name": "eeb-sbx"}}}
CLUSTER = "arn:aws-us-gov:kafka:us-gov-west-1:123456789012:cluster/eeb-prod/def-2"
BOTH = ["iam", "acl"]  # an MSK cluster with IAM clients and SASL/SCRAM clients


def state(tree, stack="prod", authorization=None):
    stacks = {"prod": json.loads(json.dumps(AWS_PROD)), "sandbox": json.loads(json.dumps(AWS_SANDBOX))}
    if authorization:
        for s in stacks.values():
            s["config"]["eventbus:authorization"] = authorization
    tree.stacks = stacks
    tree.write()
    return compute(load_registry(str(tree.root)).registry, load_stack(str(tree.root), stack))


def test_iam_stacks_hold_no_kafka_acls(tree):
    # MSK ignores Kafka ACLs for IAM-authenticated clients: they would be dead resources
    d = state(tree)
    assert d.authorization == ("iam",) and d.acls == () and d.roles
    assert d.connection.sasl_mechanism == "AWS_MSK_IAM" and d.connection.security_protocol == "SASL_SSL"


def test_a_cluster_with_both_kinds_of_clients_gets_roles_and_acls(tree):
    d = state(tree, authorization=BOTH)
    assert d.acls and d.roles
    assert {a.app for a in d.acls} == {r.app for r in d.roles}
    acl_only = state(tree, authorization=["acl"])
    assert acl_only.acls and acl_only.roles == () and all(a.role is None for a in acl_only.apps)


def test_acls_are_exactly_what_the_tree_implies(tree):
    d = state(tree, authorization=BOTH)
    got = {(a.principal, a.resource_type, a.resource_name, a.pattern, a.operation) for a in d.acls}
    assert got == {
        ("User:claims-team.claims-publisher", "Topic", "claims_claim_created", "Literal", "Write"),
        ("User:claims-team.claims-publisher", "Topic", "claims_claim_created", "Literal", "Describe"),
        ("User:pharmacy.refill-api", "Topic", "health_refill_requested", "Literal", "Write"),
        ("User:pharmacy.refill-api", "Topic", "health_refill_requested", "Literal", "Describe"),
        ("User:pharmacy.refill-api", "Cluster", "kafka-cluster", "Literal", "IdempotentWrite"),
        ("User:notify.notifier", "Topic", "claims_claim_created", "Literal", "Read"),
        ("User:notify.notifier", "Topic", "claims_claim_created", "Literal", "Describe"),
        ("User:notify.notifier", "Topic", "health_refill_requested", "Literal", "Read"),
        ("User:notify.notifier", "Topic", "health_refill_requested", "Literal", "Describe"),
        ("User:notify.notifier", "Group", "notify.notifier", "Literal", "Read"),
    }


def test_iam_roles_least_privilege(tree):
    d = state(tree)
    roles = {r.app: r for r in d.roles}
    notifier = roles["notify/notifier"]
    assert notifier.name == "eeb-prod.notify.notifier"
    assert notifier.trust_policy()["Statement"][0]["Principal"]["AWS"] == ["arn:aws-us-gov:iam::111122223333:role/notifier"]
    pol = notifier.policy()["Statement"]
    assert pol == [
        {"Sid": "Connect", "Effect": "Allow", "Action": ["kafka-cluster:Connect"], "Resource": [CLUSTER]},
        {"Sid": "Consume", "Effect": "Allow", "Action": ["kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"],
         "Resource": [f"arn:aws-us-gov:kafka:us-gov-west-1:123456789012:topic/eeb-prod/def-2/{t}" for t in ("claims_claim_created", "health_refill_requested")]},
        {"Sid": "ConsumerGroup", "Effect": "Allow", "Action": ["kafka-cluster:AlterGroup", "kafka-cluster:DescribeGroup"],
         "Resource": ["arn:aws-us-gov:kafka:us-gov-west-1:123456789012:group/eeb-prod/def-2/notify.notifier"]},
    ]
    refill = roles["pharmacy/refill-api"].policy()["Statement"]
    assert [s["Sid"] for s in refill] == ["Connect", "IdempotentWrite", "Produce"]
    assert refill[1]["Action"] == ["kafka-cluster:WriteDataIdempotently"] and refill[1]["Resource"] == [CLUSTER]
    publisher = roles["claims-team/claims-publisher"].policy()["Statement"]
    assert [s["Sid"] for s in publisher] == ["Connect", "Produce"]  # not idempotent: no IdempotentWrite
    for r in d.roles:
        for s in r.policy()["Statement"]:
            assert all("*" not in a for a in s["Action"])
            assert all(not res.endswith("*") for res in s["Resource"])


def test_prefixed_group(tree):
    tree.consumers["notify/notifier"]["consumer_group"] = {"name": "notify.notifier-", "prefix": True}
    d = state(tree, authorization=BOTH)
    assert [a for a in d.acls if a.resource_type == "Group"][0].pattern == "Prefixed"
    group_stmt = next(r for r in d.roles if r.app == "notify/notifier").statements[-1]
    assert group_stmt.resources == ("arn:aws-us-gov:kafka:us-gov-west-1:123456789012:group/eeb-prod/def-2/notify.notifier-*",)


def test_sandbox_has_no_sensitive_topics_and_suffixes_names(tree):
    d = state(tree, "sandbox", BOTH)
    assert [t.name for t in d.topics] == ["claims_claim_created_sandbox"]
    assert {a.resource_name for a in d.acls if a.resource_type == "Topic"} == {"claims_claim_created_sandbox"}
    assert {r.app for r in d.roles} == {"claims-team/claims-publisher", "notify/notifier"}


def test_restricted_event_never_grants_unlisted_consumer_even_without_the_gate(tree):
    tree.events["health/refill_requested"]["meta"]["access"]["allowed_consumers"] = []
    d = state(tree, authorization=BOTH)
    assert not [a for a in d.acls if a.app == "notify/notifier" and a.resource_name == "health_refill_requested"]
    assert "health_refill_requested" not in d.apps_by_ref["notify/notifier"].consumes


def test_topic_configs_subjects_and_protection(tree):
    d = state(tree)
    t = d.topics_by_name["claims_claim_created"]
    assert t.config_dict == {"cleanup.policy": "delete", "retention.ms": str(7 * 86_400_000), "min.insync.replicas": "2", "max.message.bytes": "1048576"}
    assert t.protect and t.replication_factor == 3
    subjects = {s.name: s for s in d.subjects}
    assert [v for v, _ in subjects["claims_claim_created-value"].versions] == [1, 2]
    assert subjects["claims_claim_created-value"].glue_compatibility == "BACKWARD"
    assert "claims_claim_created-key" in subjects and "health_refill_requested-key" not in subjects


def test_retired_event_has_no_topic(tree):
    tree.events["claims/claim_created"]["meta"].update(lifecycle="retired", deprecated_on="2026-01-01", removal_date="2026-07-15")
    d = state(tree, authorization=BOTH)
    assert "claims_claim_created" not in d.topics_by_name
    assert not [a for a in d.acls if a.resource_name == "claims_claim_created"]


def test_deterministic_and_order_independent(tree):
    d1 = state(tree)
    reg = load_registry(str(tree.root)).registry
    import dataclasses

    shuffled = list(reg.events)
    random.Random(3).shuffle(shuffled)
    reg2 = dataclasses.replace(reg, events=tuple(shuffled), consumers=tuple(reversed(reg.consumers)))
    d2 = compute(reg2, load_stack(str(tree.root), "prod"))
    assert d1.to_json() == d2.to_json()


def test_iam_policies_pass_parliament(tree):
    from parliament import analyze_policy_string

    for r in state(tree).roles:
        findings = analyze_policy_string(json.dumps(r.policy())).findings
        assert findings == [], (r.name, [(f.issue, f.detail) for f in findings])


def test_role_names_of_different_teams_never_meet():
    # ids are [a-z0-9-]: a '-' in the team or the application cannot shift the boundary
    assert role_name("eeb-prod", "va", "notify-refill-notifier") != role_name("eeb-prod", "va-notify", "refill-notifier")


@pytest.mark.parametrize(
    "edit,message",
    [
        (lambda c: c.update({"eventbus:colour": "blue"}), "unknown field 'eventbus:colour'"),
        (lambda c: c["eventbus:cluster"].pop("arn"), "no cluster ARN"),
        (lambda c: c.update({"aws:region": "us-east-1"}), "differs from the cluster ARN"),
        (lambda c: c.update({"eventbus:replicationFactor": "three"}), "must be an integer"),
        # a provider's secret in plain text would be committed: only Pulumi's encrypted {secure: ...}
        (lambda c: c.update({"kafka:saslPassword": "hunter2"}), "kafka:saslPassword must be an object"),
        (lambda c: c.update({"aws:secretKey": "hunter2"}), "aws:secretKey must be an object"),
        (lambda c: c.update({"aws:token": "hunter2"}), "aws:token must be an object"),
        (lambda c: c.update({"kafka:clientKeyPassphrase": "hunter2"}), "kafka:clientKeyPassphrase must be an object"),
        # a registry URL holding credentials is refused without repeating them (CI annotations, logs)
        (lambda c: c.update({"eventbus:schemaRegistry": {"kind": "confluent", "url": "https://eeb:hunter2@registry.example.va.gov"}}),
         "'https://***@registry.example.va.gov' has the wrong form"),
    ],
)
def test_bad_stack_files(tree, edit, message):
    cfg = json.loads(json.dumps(AWS_PROD))
    edit(cfg["config"])
    (tree.root / "Pulumi.prod.yaml").write_text(yaml.safe_dump(cfg))
    with pytest.raises(StackError) as exc:
        load_stack(str(tree.root), "prod")
    assert message in exc.value.message and exc.value.loc.file == "Pulumi.prod.yaml"
    assert "hunter2" not in f"{exc.value.message} {exc.value.hint}"  # the error does not repeat the secret


def test_stack_secrets_the_program_reads_are_allowed_encrypted(tree):
    # the program tells to `pulumi config set --secret eventbus:scramSeed ...`: the file that results must load
    cfg = json.loads(json.dumps(AWS_PROD))
    cfg["config"].update({"eventbus:scramSeed": {"secure": "v1:abc"}, "eventbus:kafkaAdminPassword": {"secure": "v1:def"}})
    (tree.root / "Pulumi.prod.yaml").write_text(yaml.safe_dump(cfg))
    assert load_stack(str(tree.root), "prod").name == "prod"
    cfg["config"]["eventbus:scramSeed"] = "plain"
    (tree.root / "Pulumi.prod.yaml").write_text(yaml.safe_dump(cfg))
    with pytest.raises(StackError, match="scramSeed must be an object"):
        load_stack(str(tree.root), "prod")


def test_unknown_stack(tree):
    with pytest.raises(StackError) as exc:
        load_stack(str(tree.root), "staging")
    assert "prod" in exc.value.hint


# --- property: grants are exactly the implied set, over generated registries ---------------------

@st.composite
def registries(draw):
    n_events = draw(st.integers(1, 6))
    events = []
    for i in range(n_events):
        events.append({
            "ref": f"d{i % 2}/e{i}",
            "cls": draw(st.sampled_from(["none", "PII", "PHI"])),
            "restricted": draw(st.booleans()),
            "idempotent": draw(st.booleans()),
            "retired": draw(st.booleans()) and draw(st.booleans()),
            "prod_producer": draw(st.booleans()),
        })
    consumers = []
    for j in range(draw(st.integers(0, 6))):
        subs = draw(st.lists(st.sampled_from([e["ref"] for e in events]), unique=True, max_size=3))
        consumers.append({"ref": f"team{j % 3}/app{j}", "subs": subs, "prefix": draw(st.booleans()),
                          "envs": draw(st.sampled_from([["prod"], ["sandbox", "prod"], ["sandbox"]]))})
    allowed = {e["ref"]: draw(st.lists(st.sampled_from([c["ref"] for c in consumers] or ["nobody/none"]), unique=True)) for e in events}
    return events, consumers, allowed


def _build(tmp, events, consumers, allowed):
    from tests.conftest import ARN, Tree, field, producer_app, record

    t = Tree(tmp)
    t.teams = {f"team{i}": __import__("tests.conftest", fromlist=["team"]).team(f"team{i}") for i in range(3)}
    t.teams["owner"] = __import__("tests.conftest", fromlist=["team"]).team("owner")
    t.stacks = {name: {"config": {**s["config"], "eventbus:authorization": BOTH}} for name, s in (("prod", AWS_PROD), ("sandbox", AWS_SANDBOX))}
    t.events, t.consumers = {}, {}
    for e in events:
        principals = {"prod": [ARN.format("p")]} if e["prod_producer"] else {"sandbox": [ARN.format("p")]}
        producer = f"prod-{e['ref'].split('/')[1]}"
        t.consumers[f"owner/{producer}"] = producer_app("owner", producer, principals)
        meta = {"title": "Event", "summary": "Something happened here.", "owner": "owner", "domain": e["ref"].split("/")[0],
                "lifecycle": "retired" if e["retired"] else "production", "classification": {"data": e["cls"]},
                "producers": [{"application": producer, "idempotent": e["idempotent"]}],
                "access": {"policy": "restricted" if e["restricted"] else "open", "allowed_consumers": allowed[e["ref"]]}}
        if e["retired"]:
            meta.update(deprecated_on="2025-01-01", removal_date="2025-08-01")
        t.events[e["ref"]] = {"meta": meta, "versions": [record("E", [field("a", "string")])]}
    for c in consumers:
        team, app = c["ref"].split("/")
        t.consumers[c["ref"]] = {"application": app, "team": team, "description": "A consumer application.",
                                 "principals": {"prod": [ARN.format(app)], "sandbox": [ARN.format(app + "-s")]},
                                 "consumer_group": {"name": f"{team}.{app}", "prefix": c["prefix"]},
                                 "subscriptions": [{"event": s, "purpose": "Because we need it.", "environments": c["envs"]} for s in c["subs"]] or
                                 [{"event": events[0]["ref"], "purpose": "Because we need it.", "environments": []}],
                                 "compliance": {"vasi_id": "1", "fisma_level": "Moderate", "ato_status": "ATO"}}
        if not c["subs"]:
            t.consumers[c["ref"]]["subscriptions"][0]["environments"] = ["prod"]
            c["subs"] = [events[0]["ref"]]
            c["envs"] = ["prod"]
    return t.write()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=registries())
def test_property_grants_match_subscriptions_and_productions(tmp_path_factory, data):
    events, consumers, allowed = data
    tmp = tmp_path_factory.mktemp("reg")
    _build(tmp, events, consumers, allowed)
    for stack_name, stack in (("prod", AWS_PROD), ("sandbox", AWS_SANDBOX)):
        env = stack["config"]["eventbus:environment"]
        suffix = stack["config"].get("eventbus:topicSuffix", "")
        allowed_cls = stack["config"]["eventbus:allowedClassifications"]
        loaded = load_registry(str(tmp))
        assert [f for f in loaded.findings] == []  # the generated tree itself is well-formed
        d = compute(loaded.registry, load_stack(str(tmp), stack_name))
        live = {e["ref"]: e for e in events if not e["retired"] and e["cls"] in allowed_cls}
        topic = {ref: ref.replace("/", "_") + suffix for ref in live}
        expect = set()
        for ref, e in live.items():
            if (env == "prod") == e["prod_producer"]:
                user = f"User:owner.prod-{ref.split('/')[1]}"
                expect |= {(user, "Write", f"Topic:Literal:{topic[ref]}"), (user, "Describe", f"Topic:Literal:{topic[ref]}")}
                if e["idempotent"]:
                    expect.add((user, "IdempotentWrite", "Cluster:Literal:kafka-cluster"))
        for c in consumers:
            if env not in c["envs"]:
                continue
            readable = [s for s in c["subs"] if s in live and (not live[s]["restricted"] or c["ref"] in allowed[s])]
            user = "User:" + c["ref"].replace("/", ".")
            for s in readable:
                expect |= {(user, "Read", f"Topic:Literal:{topic[s]}"), (user, "Describe", f"Topic:Literal:{topic[s]}")}
            if readable:
                expect.add((user, "Read", f"Group:{'Prefixed' if c['prefix'] else 'Literal'}:{c['ref'].replace('/', '.')}"))
        acl_grants = {g for g in d.grants() if not g[0].startswith("role:")}
        assert acl_grants == expect
        # IAM mirrors the ACLs: every role's topic resources are exactly its app's topics
        for r in d.roles:
            app = next(a for a in d.apps if a.ref == r.app)
            topics_in_policy = {res.rsplit("/", 1)[1] for s in r.statements if s.sid in ("Produce", "Consume") for res in s.resources}
            assert topics_in_policy == set(app.produces) | set(app.consumes)
