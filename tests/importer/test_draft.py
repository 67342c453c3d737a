"""The draft, pure: a snapshot of a live bus and the current tree in, files, adoption-record entries
and a report out. Written out and filled in, the draft passes the gate and its desired state adopts
what was found (checked here on the tree in memory and on disk)."""
from __future__ import annotations

import json
import shutil

import pytest

from eventbus.adapters.kafka_admin import Inventory, TopicFound
from eventbus.desired import compute
from eventbus.importer.choices import Choices
from eventbus.importer.draft import make_draft
from eventbus.importer.snapshot import RoleFound, Snapshot, SubjectFound
from eventbus.importer.write import write
from eventbus.load.registry import load_registry
from eventbus.load.stacks import load_stack
from tests.conftest import Tree, run_gate
from tests.importer.fill import fill_in

DAY = 86_400_000
LOCAL = {"config": {"eventbus:environment": "prod", "eventbus:target": "local", "eventbus:replicationFactor": 1, "eventbus:minInsyncReplicasCap": 1,
                    "eventbus:cluster": {"bootstrapServers": ["127.0.0.1:19092"], "saslMechanism": "scram-sha512", "tls": False},
                    "eventbus:schemaRegistry": {"kind": "confluent", "url": "http://127.0.0.1:18081"}}}
SANDBOX_ARN = "arn:aws-us-gov:kafka:us-gov-west-1:123456789012:cluster/eeb-sandbox/abc-1"
MANAGED = {"cleanup.policy": "delete", "retention.ms": str(14 * DAY), "min.insync.replicas": "1", "max.message.bytes": "1048588"}


def topic(name: str, partitions: int = 3, rf: int = 1, **config) -> TopicFound:
    overrides = {k.replace("_", "."): v for k, v in config.items()}
    return TopicFound(name, partitions, rf, f"id-{name}", {**MANAGED, **{k: v for k, v in overrides.items() if k in MANAGED}}, overrides)


def acl(user: str, rtype: str, name: str, op: str, pattern: str = "Literal") -> tuple:
    return (f"User:{user}", rtype, name, pattern, op, "*", "Allow")


V1 = json.dumps({"type": "record", "name": "Letter", "namespace": "gov.va.x", "doc": "A letter.", "fields": [{"name": "id", "type": "long", "doc": "Id."}]})


def sasl_snapshot() -> Snapshot:
    inv = Inventory(cluster_id="c-1")
    inv.topics = {t.name: t for t in (
        topic("decision_letter_availability", 6, segment_ms="3600000", retention_ms=str(14 * DAY)),
        topic("claims_contention_created", 3, cleanup_policy="compact,delete"),
        topic("__consumer_offsets", 50), topic("_schemas", 1), topic("Bad-Name", 1), topic("claims_claim_created", 2))}
    inv.acls = {
        acl("letters-svc", "Topic", "decision_letter_availability", "Write"), acl("letters-svc", "Topic", "decision_letter_availability", "Describe"),
        acl("letters-svc", "Topic", "decision_letter_availability", "Create"),
        acl("bie", "Topic", "claims_contention_created", "Write"), acl("bie", "Cluster", "kafka-cluster", "IdempotentWrite"),
        acl("reader", "Topic", "decision_letter_availability", "Read"), acl("reader", "Topic", "decision_letter_availability", "Describe"),
        acl("reader", "Topic", "claims_claim_created", "Read"),  # an event the tree has already (open)
        acl("reader", "Group", "readers", "Read"),
        acl("reader", "Topic", "Bad-Name", "Read"),  # a topic that is not imported: kept
        ("User:*", "Topic", "claims_contention_created", "Literal", "Describe", "*", "Allow"),  # no application's
    }
    inv.scram_users = {"letters-svc", "bie", "reader", "admin"}
    inv.groups = {"readers": frozenset({"decision_letter_availability"}), "orphans": frozenset({"claims_contention_created"})}
    snap = Snapshot(inv, registry_read=True)
    v2 = json.dumps({**json.loads(V1), "fields": [*json.loads(V1)["fields"], {"name": "note", "type": ["null", "string"], "default": None, "doc": "N."}]})
    snap.subjects = {
        "decision_letter_availability-value": SubjectFound("decision_letter_availability-value", "BACKWARD", ((1, 5, V1), (3, 9, v2))),
        "claims_contention_created-key": SubjectFound("claims_contention_created-key", "BACKWARD", ((1, 7, '"long"'),)),
        "claims_contention_created-value": SubjectFound("claims_contention_created-value", "FORWARD", ((1, 8, V1.replace("Letter", "Contention")),)),
        "elsewhere-value": SubjectFound("elsewhere-value", "BACKWARD", ((1, 2, V1),)),
    }
    return snap


MAP = Choices(topics={"decision_letter_availability": "benefits"},
              applications={"User:letters-svc": "benefits/letters", "User:bie": "claims-team/bie-connector", "User:reader": "va-gov/status-reader"})


def local_tree() -> Tree:
    t = Tree()
    t.stacks["local"] = LOCAL
    return t


def draft(tree: Tree, snap: Snapshot, choices: Choices = MAP, stack: str = "local"):
    fs = tree.fs()
    registry = load_registry(fs.root, fs=fs).registry
    return make_draft(registry, load_stack(fs.root, stack, fs), snap, choices)


def test_sasl_draft_events_applications_and_the_record():
    d = draft(local_tree(), sasl_snapshot())
    letters = d.files["events/benefits/decision_letter_availability/event.yaml"]
    assert "name: decision_letter_availability" in letters and "partitions: 6" in letters and "retention_days: 14" in letters
    assert "owner: benefits" in letters and "- application: letters" in letters and "max_message_bytes: 1048588" in letters
    contention = d.files["events/claims/contention_created/event.yaml"]
    assert "\n  name:" not in contention and "cleanup_policy: compact,delete" in contention and "idempotent: true" in contention
    assert "key: key.avsc" in contention and d.files["events/claims/contention_created/key.avsc"] == '"long"\n'
    assert json.loads(d.files["events/benefits/decision_letter_availability/v2.avsc"])["fields"][-1]["name"] == "note"  # the registry's 3rd is the tree's v2
    reader = d.files["consumers/va-gov/status-reader.yaml"]
    assert "event: benefits/decision_letter_availability" in reader and "event: claims/claim_created" in reader
    assert "FILL-IN: why the application needs" in reader and "FILL-IN: IAM role ARN" in reader
    assert set(d.files) >= {"teams/benefits.yaml", "teams/va-gov.yaml"} and "teams/claims-team.yaml" not in d.files  # the tree has that team
    rec = d.record
    assert rec["topics"]["decision_letter_availability"]["kept_config"] == {"segment.ms": "3600000"}
    assert rec["topics"]["decision_letter_availability"]["topic_id"] == "id-decision_letter_availability"
    assert [v["id"] for v in rec["subjects"]["decision_letter_availability-value"]["versions"]] == [5, 9]
    assert rec["applications"]["va-gov/status-reader"] == {
        "kafka_user": "reader", "credential": "keep", "consumer_group": {"name": "readers"},
        "kept_acls": [{"resource_type": "Topic", "name": "Bad-Name", "operation": "Read"}]}
    assert rec["applications"]["benefits/letters"]["kept_acls"] == [{"resource_type": "Topic", "name": "decision_letter_availability", "operation": "Create"}]
    report = "\n".join(d.report.skipped + d.report.differs)
    assert "__consumer_offsets" in report and "_schemas" in report and "Bad-Name: not lowercase snake_case" in report
    assert "elsewhere-value" in report and "consumer group orphans" in report
    assert "claims_claim_created: 2 partitions on the cluster, 3 in the tree" in report  # the tree's own topic, compared


def test_filled_in_the_draft_passes_the_gate_and_adopts_everything(tmp_path):
    t = local_tree()
    t.root = tmp_path
    t.write()
    d = draft(t, sasl_snapshot())
    write(d, str(tmp_path), "local", "c-1")
    assert fill_in(tmp_path) > 10
    result = run_gate(tmp_path)
    assert result.ok, [f.one_line() for f in result.findings if f.severity.name == "ERROR"]
    state = compute(result.registry, load_stack(str(tmp_path), "local"))
    letters = state.topics_by_name["decision_letter_availability"]
    assert letters.adopt == "decision_letter_availability" and letters.config_dict["segment.ms"] == "3600000"
    assert state.topics_by_name["claims_claim_created"].adopt is None  # the tree's own: created (or in the state already)
    reader = state.apps_by_ref["va-gov/status-reader"]
    assert reader.adopt == "User:reader" and reader.keep_credential and reader.group == "readers"
    kept = [a for a in state.acls_by_app["va-gov/status-reader"] if a.kept]
    assert [(a.resource_name, a.operation) for a in kept] == [("Bad-Name", "Read")]
    assert {s.name: s.adopt for s in state.subjects if s.adopt} == {n: n for n in (
        "decision_letter_availability-value", "claims_contention_created-key", "claims_contention_created-value")}
    # repeatable: the tree has it all now, so nothing more is drafted
    fs_tree = load_registry(str(tmp_path)).registry
    again = make_draft(fs_tree, load_stack(str(tmp_path), "local"), sasl_snapshot(), MAP)
    assert again.files == {} and not any(again.record.values())


def test_a_topic_outside_the_stacks_suffix_and_retention_that_is_not_whole_days():
    t = Tree()
    snap = Snapshot(Inventory(topics={t.name: t for t in (topic("orders_sandbox", retention_ms=str(DAY + 1)), topic("orders_dev"))}))
    d = draft(t, snap, Choices(), "sandbox")
    assert list(d.files) == ["events/imported/orders/event.yaml"]  # one word: the domain "imported", topic.name keeps the name
    event = d.files["events/imported/orders/event.yaml"]
    assert "name: orders" in event and "retention_days: 2" in event
    assert any("orders_dev: does not end with the stack's suffix _sandbox" in s for s in d.report.skipped)
    assert any("is not whole days" in s for s in d.report.differs)


def test_iam_draft_from_the_roles_that_name_the_cluster():
    t = Tree()
    base = "arn:aws-us-gov:kafka:us-gov-west-1:123456789012"
    role = RoleFound("LegacyLetterReader", ("arn:aws-us-gov:iam::999988887777:role/letters-app", "arn:aws-us-gov:iam::999988887777:root-ish"),
                     frozenset({("kafka-cluster:Connect", SANDBOX_ARN),
                                ("kafka-cluster:ReadData", f"{base}:topic/eeb-sandbox/abc-1/letters_sandbox"),
                                ("kafka-cluster:ReadData", f"{base}:topic/eeb-sandbox/abc-1/other_*"),
                                ("kafka-cluster:AlterGroup", f"{base}:group/eeb-sandbox/abc-1/letters-readers*")}))
    writer = RoleFound("LettersWriter", ("arn:aws-us-gov:iam::999988887777:role/writer",),
                       frozenset({("kafka-cluster:WriteData", f"{base}:topic/eeb-sandbox/abc-1/letters_sandbox"),
                                  ("kafka-cluster:WriteDataIdempotently", SANDBOX_ARN)}))
    snap = Snapshot(Inventory(topics={"letters_sandbox": topic("letters_sandbox", 4, rf=3)}), roles={r.name: r for r in (role, writer)})
    d = draft(t, snap, Choices(topics={"letters": "benefits/decision_letter_availability"},
                               applications={"role/LegacyLetterReader": "notify/letter-reader", "role/LettersWriter": "benefits/letters-writer"}), "sandbox")
    reader = d.files["consumers/notify/letter-reader.yaml"]
    assert "arn:aws-us-gov:iam::999988887777:role/letters-app" in reader and "root-ish" not in reader
    assert "event: benefits/decision_letter_availability" in reader and "- sandbox" in reader
    assert d.record["applications"]["notify/letter-reader"] == {"role": "LegacyLetterReader", "consumer_group": {"name": "letters-readers", "prefix": True}}
    assert d.record["applications"]["benefits/letters-writer"] == {"role": "LettersWriter"}
    event = d.files["events/benefits/decision_letter_availability/event.yaml"]
    assert "name: letters" in event and "idempotent: true" in event and "owner: benefits" in event
    assert any("other_*" in s and "stays in its own policy" in s for s in d.report.differs)


def test_an_identity_mapped_to_an_application_the_tree_has_with_another_name():
    t = local_tree()
    snap = Snapshot(Inventory(topics={"orders_placed": topic("orders_placed")}, acls={acl("someone", "Topic", "orders_placed", "Write")}))
    d = draft(t, snap, Choices(applications={"User:someone": "notify/notifier"}))
    assert any("notify/notifier is already an application of the tree with another identity" in s for s in d.report.skipped)
    assert "consumers/notify/notifier.yaml" not in d.files
    assert "FILL-IN: the producing application" in d.files["events/orders/placed/event.yaml"]


def test_writers_of_two_teams_the_owner_is_the_first_and_the_other_write_is_kept():
    snap = Snapshot(Inventory(topics={"orders_placed": topic("orders_placed")},
                              acls={acl("a", "Topic", "orders_placed", "Write"), acl("b", "Topic", "orders_placed", "Write"), acl("b", "Topic", "orders_placed", "Read")}))
    d = draft(local_tree(), snap, Choices(applications={"User:a": "alpha/app", "User:b": "beta/app"}))
    assert "owner: alpha" in d.files["events/orders/placed/event.yaml"]
    assert d.record["applications"]["beta/app"]["kept_acls"] == [{"resource_type": "Topic", "name": "orders_placed", "operation": "Write"}]


@pytest.mark.parametrize("level,expected", [(None, "FULL"), ("NONE", "FULL")])
def test_a_subject_without_a_level_of_its_own_gets_the_global_one(monkeypatch, level, expected):
    from eventbus.importer import snapshot

    class FakeRegistry:
        def __init__(self, *a):
            pass

        def global_compatibility(self):
            return "FULL"

        def subjects(self):
            return ["s-value"]

        def compatibility(self, name):
            return level

        def versions(self, name):
            return []

    monkeypatch.setattr("eventbus.adapters.schema_registry.SchemaRegistry", FakeRegistry)
    got = snapshot.read_registry("http://x")
    assert got["s-value"].level == expected and "global FULL" in got["s-value"].note


def test_the_written_record_merges_and_never_overwrites(tmp_path):
    d = draft(local_tree(), sasl_snapshot())
    first = write(d, str(tmp_path), "local", "c-1")
    assert "adopt/local.yaml" in first
    (tmp_path / "events/benefits/decision_letter_availability/event.yaml").write_text("edited by a person\n")
    d.record["topics"]["decision_letter_availability"]["partitions"] = 99  # a new import would not change a recorded entry
    d.record["topics"]["new_topic"] = {"event": "x/y", "partitions": 1}
    second = write(d, str(tmp_path), "local", "c-2")
    assert second == ["adopt/local.yaml"]
    assert (tmp_path / "events/benefits/decision_letter_availability/event.yaml").read_text() == "edited by a person\n"
    text = (tmp_path / "adopt/local.yaml").read_text()
    assert "new_topic" in text and "partitions: 99" not in text and "cluster_id: c-1" in text
    assert text.startswith("# yaml-language-server: $schema=../infra/eventbus/schemas/adopt.schema.json")
    shutil.rmtree(tmp_path / "events")


def test_an_iam_grant_with_a_condition_or_taken_back_by_a_deny_is_not_drafted():
    """The tree grants exact topics without conditions: a conditional Allow or one a Deny takes back
    was drafted as a plain subscription or producer entry (more access than the role has)."""
    from eventbus.importer.snapshot import role_grants

    base = "arn:aws-us-gov:kafka:us-gov-west-1:123456789012"
    topic_arn = f"{base}:topic/eeb-sandbox/abc-1/"
    docs = [{"Statement": [
        {"Effect": "Allow", "Action": "kafka-cluster:ReadData", "Resource": f"{topic_arn}letters_sandbox", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}},
        {"Effect": "Allow", "Action": ["kafka-cluster:WriteData", "kafka-cluster:ReadData"], "Resource": f"{topic_arn}orders_sandbox"},
        {"Effect": "Deny", "Action": "Kafka-Cluster:Write*", "Resource": f"{topic_arn}orders_*"},
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}},
    ]}, {"Statement": {"Effect": "Allow", "Action": "kafka-cluster:Connect", "Resource": SANDBOX_ARN}}]  # one statement, not a list
    grants, notes = role_grants(docs)
    assert grants == {("kafka-cluster:ReadData", f"{topic_arn}orders_sandbox"), ("kafka-cluster:Connect", SANDBOX_ARN)}
    assert len(notes) == 2 and "has Condition" in notes[0] and "taken back by a Deny" in notes[1]
    role = RoleFound("Legacy", ("arn:aws-us-gov:iam::999988887777:role/app",), grants, notes)
    snap = Snapshot(Inventory(topics={n: topic(n) for n in ("letters_sandbox", "orders_sandbox")}), roles={"Legacy": role})
    d = draft(Tree(), snap, Choices(applications={"role/Legacy": "notify/legacy"}), "sandbox")
    app = d.files["consumers/notify/legacy.yaml"]
    assert "event: orders/sandbox" not in app and "imported/orders" in app and "letters" not in app
    assert "application: legacy" not in d.files["events/imported/orders/event.yaml"]
    assert sum("role Legacy: Allow kafka-cluster:" in s for s in d.report.differs) == 2


def test_a_wildcard_group_binding_is_kept_as_found_not_made_the_consumer_group():
    """Group '*' (every group) became consumer_group {name: '*'}: a grant of the tree, unreported."""
    snap = Snapshot(Inventory(topics={"orders_placed": topic("orders_placed")},
                              acls={acl("reader", "Topic", "orders_placed", "Read"), acl("reader", "Group", "*", "Read")}))
    d = draft(local_tree(), snap, Choices(applications={"User:reader": "notify/reader"}))
    entry = d.record["applications"]["notify/reader"]
    assert "consumer_group" not in entry and entry["kept_acls"] == [{"resource_type": "Group", "name": "*", "operation": "Read"}]
    assert any("Allow Read on Group *" in s for s in d.report.kept)


def test_a_subject_that_is_not_plain_avro_is_neither_drafted_nor_adopted():
    from eventbus.adapters.schema_registry import SubjectVersion
    from eventbus.importer.snapshot import unsupported

    json_schema = SubjectVersion("s", 2, 11, '{"type": "object"}', "JSON")
    referring = SubjectVersion("s", 1, 12, V1, "AVRO", ("common-address@3",))
    assert unsupported([SubjectVersion("s", 1, 10, V1), json_schema]) == "version 2 (schema id 11) is a JSON schema, not Avro"
    assert "refers to other subjects (common-address@3)" in unsupported([referring])
    assert unsupported([SubjectVersion("s", 1, 10, V1)]) == ""
    snap = sasl_snapshot()
    name = "decision_letter_availability-value"
    snap.subjects[name] = SubjectFound(name, "BACKWARD", ((1, 11, '{"type": "object"}'),), "", unsupported([json_schema]))
    d = draft(local_tree(), snap)
    assert "events/benefits/decision_letter_availability/v1.avsc" not in d.files
    assert name not in d.record["subjects"]
    assert any(f"subject {name}: version 2 (schema id 11) is a JSON schema, not Avro: not drafted and not adopted" in x for x in d.report.differs)


def test_the_registry_adapter_reads_the_schema_type_and_references(monkeypatch):
    from eventbus.adapters.schema_registry import SchemaRegistry

    reg = SchemaRegistry("http://registry.invalid")
    answers = {"/subjects/a-value/versions/1": {"subject": "a-value", "version": 1, "id": 4, "schema": V1},
               "/subjects/b-value/versions/1": {"subject": "b-value", "version": 1, "id": 5, "schema": "syntax = \"proto3\";", "schemaType": "PROTOBUF",
                                                "references": [{"name": "x.proto", "subject": "x", "version": 2}]}}
    monkeypatch.setattr(reg, "_call", lambda method, path, *a, **k: answers[path])
    a, b = reg.version("a-value", 1), reg.version("b-value", 1)
    assert (a.schema_type, a.references) == ("AVRO", ())
    assert (b.schema_type, b.references) == ("PROTOBUF", ("x@2",))
