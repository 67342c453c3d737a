"""Adopting a bus that already exists, for real: a fresh broker and registry are seeded the way the
agency's platform team did it by hand (plain confluent-kafka admin calls and HTTP to the registry,
none of this project's code), then ``eventbus import`` drafts the tree, a person fills in the
placeholders, the gate passes, and ``pulumi up`` adopts everything: every topic keeps its id and
its records, the consumer group its offsets, the subjects their ids, the legacy applications
their credentials and access; a second ``pulumi up`` changes nothing. A tree that would shrink a
live topic is refused before anything is touched, and a second import adopts what the cluster
gained since. One scenario, in order."""
from __future__ import annotations

import json
import re
import shutil
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from confluent_kafka import Consumer, ConsumerGroupTopicPartitions, Producer, TopicCollection, TopicPartition
from confluent_kafka.admin import (
    AclBinding,
    AclBindingFilter,
    AclOperation,
    AclPermissionType,
    AdminClient,
    ConfigResource,
    NewTopic,
    ResourcePatternType,
    ResourceType,
    ScramCredentialInfo,
    ScramMechanism,
    UserScramCredentialUpsertion,
)

from eventbus.load.yaml import dump_yaml, parse_yaml
from tests.e2e.conftest import REPO, Workspace, admin_conf, run
from tests.importer.fill import fill_in

pytestmark = pytest.mark.e2e

LETTERS = "decision_letter_availability"
CONTENTIONS = "claims_contention_created"
TRACE = "submission_trace_form_status_change"
UPDATES = "claims_contention_updated"  # created after the first adoption
GROUP = "status-readers"  # the legacy consumer group, not <team>.<application>
RECORDS = 12
USERS = {  # the platform team's SASL/SCRAM users, with the passwords it handed out
    "letters-svc": "letters-secret-1",
    "claims-bie": "claims-secret-2",
    "status-reader": "reader-secret-3",
    "trace-pub": "trace-secret-4",
}
IMPORT_MAP = {
    "topics": {LETTERS: "benefits", CONTENTIONS: "claims", TRACE: "forms", UPDATES: "claims"},
    "applications": {
        "User:letters-svc": "benefits-decisions/decision-letter-service",
        "User:claims-bie": "claims-platform/bie-contention-connector",
        "User:status-reader": "va-gov/status-tracker",
        "User:trace-pub": "submission-trace/trace-publisher",
    },
}


def record(name: str, fields: list[dict], namespace: str | None = "gov.va.legacy", doc: bool = True) -> str:
    schema: dict = {"type": "record", "name": name, "fields": fields}
    if namespace:
        schema["namespace"] = namespace
    if doc:
        schema["doc"] = f"{name}, registered by hand."
    return json.dumps(schema, separators=(",", ":"))


def fld(name: str, typ, **kw) -> dict:
    return {"name": name, "type": typ, "doc": f"The {name}.", **kw}


LETTER_V1 = record("DecisionLetterAvailability", [fld("ClaimId", "long"), fld("DateClosed", "string")])
LETTER_V2 = record("DecisionLetterAvailability", [fld("ClaimId", "long"), fld("DateClosed", "string"), fld("ClaimTypeCode", ["null", "string"], default=None)])
CONTENTION_V1 = record("ContentionCreated", [fld("ClaimId", "long"), fld("ContentionId", "long")], "gov.va.bip.bie.claim.contention")
TRACE_V1 = record("FormStatus", [{"name": "currentId", "type": "string"}, {"name": "state", "type": "string"}], namespace=None, doc=False)  # no docs, no namespace
UPDATE_V1 = record("ContentionUpdated", [fld("ClaimId", "long")], "gov.va.bip.bie.claim.contention")


# -- the platform team's hand work (no eventbus code) --------------------------------------------------
class Registry:
    def __init__(self, url: str):
        self.url = url

    def call(self, method: str, path: str, body: dict | None = None):
        req = urllib.request.Request(self.url + path, data=json.dumps(body).encode() if body is not None else None, method=method,
                                     headers={"Content-Type": "application/vnd.schemaregistry.v1+json"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.loads(resp.read() or b"null")

    def register(self, subject: str, schema: str) -> int:
        return self.call("POST", f"/subjects/{subject}/versions", {"schema": schema})["id"]

    def level(self, subject: str, level: str) -> None:
        self.call("PUT", f"/config/{subject}", {"compatibility": level})

    def ids(self) -> dict[str, list[tuple[int, int]]]:
        """subject -> [(version, id)] of every subject."""
        return {s: [(v, self.call("GET", f"/subjects/{s}/versions/{v}")["id"]) for v in self.call("GET", f"/subjects/{s}/versions")]
                for s in sorted(self.call("GET", "/subjects"))}


def user_conf(broker: dict, user: str, **extra) -> dict:
    return {"bootstrap.servers": broker["bootstrap"], "security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "SCRAM-SHA-512",
            "sasl.username": user, "sasl.password": USERS[user], **extra}


def allow(principal: str, rtype, name: str, op, pattern=ResourcePatternType.LITERAL) -> AclBinding:
    return AclBinding(rtype, name, pattern, f"User:{principal}", "*", op, AclPermissionType.ALLOW)


def produce(conf: dict, topic: str, n: int, tag: str) -> None:
    p = Producer({**conf, "enable.idempotence": False})
    for i in range(n):
        p.produce(topic, key=f"k{i}".encode(), value=f"{tag}-{i}".encode())
    assert p.flush(30) == 0


def consume(conf: dict, group: str, topics: list[str], n: int, commit: bool = True, timeout: float = 40) -> list[bytes]:
    c = Consumer({**conf, "group.id": group, "auto.offset.reset": "earliest", "enable.auto.commit": False})
    c.subscribe(topics)
    got: list[bytes] = []
    deadline = time.monotonic() + timeout
    try:
        while len(got) < n and time.monotonic() < deadline:
            msg = c.poll(1.0)
            if msg is None:
                continue
            assert not msg.error(), msg.error()
            got.append(msg.value())
        if commit and got:
            c.commit(asynchronous=False)
    finally:
        c.close()
    return got


def seed(broker: dict, registry: Registry) -> None:
    """What the platform team did over the years with the Kafka CLI, kafka-acls and curl."""
    admin = AdminClient(admin_conf(broker))
    topics = [NewTopic(LETTERS, 6, 1, config={"retention.ms": str(14 * 86_400_000), "segment.ms": "3600000"}),
              NewTopic(CONTENTIONS, 3, 1, config={"cleanup.policy": "compact,delete"}),
              NewTopic(TRACE, 2, 1)]
    for fut in admin.create_topics(topics).values():
        fut.result()
    admin.alter_user_scram_credentials([UserScramCredentialUpsertion(u, ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), pw.encode())
                                        for u, pw in USERS.items()])
    acls = [
        # kafka-acls --producer also grants Create on the topic
        *(allow("letters-svc", ResourceType.TOPIC, LETTERS, op) for op in (AclOperation.WRITE, AclOperation.DESCRIBE, AclOperation.CREATE)),
        *(allow("claims-bie", ResourceType.TOPIC, CONTENTIONS, op) for op in (AclOperation.WRITE, AclOperation.DESCRIBE)),
        allow("claims-bie", ResourceType.BROKER, "kafka-cluster", AclOperation.IDEMPOTENT_WRITE),
        *(allow("trace-pub", ResourceType.TOPIC, TRACE, op) for op in (AclOperation.WRITE, AclOperation.DESCRIBE)),
        *(allow("status-reader", ResourceType.TOPIC, t, op) for t in (LETTERS, CONTENTIONS) for op in (AclOperation.READ, AclOperation.DESCRIBE)),
        allow("status-reader", ResourceType.GROUP, GROUP, AclOperation.READ),
    ]
    for fut in admin.create_acls(acls).values():
        fut.result()
    time.sleep(1)  # ACLs propagate to the broker's authorizer
    produce(user_conf(broker, "letters-svc"), LETTERS, RECORDS, "letter")
    produce(user_conf(broker, "claims-bie"), CONTENTIONS, RECORDS, "contention")
    produce(user_conf(broker, "trace-pub"), TRACE, RECORDS, "trace")
    # the legacy consumer has read part of its topics and committed its offsets
    assert len(consume(user_conf(broker, "status-reader"), GROUP, [LETTERS, CONTENTIONS], RECORDS)) == RECORDS
    registry.register(f"{LETTERS}-value", LETTER_V1)
    registry.level(f"{LETTERS}-value", "BACKWARD")
    registry.register(f"{LETTERS}-value", LETTER_V2)
    registry.register(f"{CONTENTIONS}-value", CONTENTION_V1)
    registry.level(f"{CONTENTIONS}-value", "FORWARD")
    registry.register(f"{CONTENTIONS}-key", '"long"')
    registry.register(f"{TRACE}-value", TRACE_V1)
    registry.level(f"{TRACE}-value", "NONE")
    registry.register("orphan_subject-value", record("Orphan", [fld("x", "string")]))


# -- what must stay exactly as it is ---------------------------------------------------------------
def cluster(broker: dict) -> dict:
    """Everything the adoption must not change: topic ids and partitions, topic-level settings,
    ACL bindings, SCRAM users, the group's committed offsets."""
    admin = AdminClient(admin_conf(broker))
    names = sorted(t for t in admin.list_topics(timeout=20).topics if not t.startswith("_"))
    described = admin.describe_topics(TopicCollection(names))
    configs = admin.describe_configs([ConfigResource(ResourceType.TOPIC, n) for n in names])
    flt = AclBindingFilter(ResourceType.ANY, None, ResourcePatternType.ANY, None, None, AclOperation.ANY, AclPermissionType.ANY)
    offsets = admin.list_consumer_group_offsets([ConsumerGroupTopicPartitions(GROUP)])[GROUP].result()
    return {
        "topics": {n: (str(f.result().topic_id), len(f.result().partitions)) for n, f in described.items()},
        "overrides": {res.name: {k: v.value for k, v in f.result().items() if v.source == 1} for res, f in configs.items()},
        "acls": sorted(str(b) for b in admin.describe_acls(flt).result()),
        "users": sorted(admin.describe_user_scram_credentials().result()),
        "offsets": sorted((tp.topic, tp.partition, tp.offset) for tp in offsets.topic_partitions),
    }


def all_records(broker: dict, topic: str) -> list[bytes]:
    """Every record of a topic, read from the start of each partition (no group)."""
    admin = AdminClient(admin_conf(broker))
    parts = len(admin.list_topics(topic, timeout=20).topics[topic].partitions)
    c = Consumer({**admin_conf(broker), "group.id": "e2e-reader", "enable.auto.commit": False})
    c.assign([TopicPartition(topic, p, 0) for p in range(parts)])
    got: list[bytes] = []
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        msg = c.poll(0.5)
        if msg is not None and not msg.error():
            got.append(msg.value())
    c.close()
    return sorted(got)


# -- the scenario -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def ws(tmp_path_factory, broker, registry, engine):
    root = tmp_path_factory.mktemp("adopting")
    (root / "infra").mkdir()
    shutil.copy(REPO / "infra" / "__main__.py", root / "infra" / "__main__.py")
    (root / "Pulumi.yaml").write_text(dump_yaml({
        "name": "eventbus", "runtime": {"name": "python", "options": {"virtualenv": str(Path(sys.executable).parent.parent)}}, "main": "infra/"}))
    local, _ = parse_yaml((REPO / "Pulumi.local.yaml").read_text())
    local["config"]["eventbus:cluster"]["bootstrapServers"] = [broker["bootstrap"]]
    local["config"]["eventbus:catalog"] = {"folder": str(root / ".state" / "catalog")}
    local["config"]["eventbus:schemaRegistry"] = {"kind": "confluent", "url": registry["url"]}
    (root / "Pulumi.local.yaml").write_text(dump_yaml(local))
    (root / ".gitignore").write_text(".state/\nimport-map.yaml\n")
    w = Workspace(root, broker, engine, tmp_path_factory.mktemp("pulumi-state"), registry)
    w.env["EVENTBUS_ADOPT_TOPICS"] = "0"  # adoption comes from the record alone, not from the killed-deploy fallback
    run(["pulumi", "stack", "init", "local", "--non-interactive"], env=w.env, cwd=root)
    (root / "import-map.yaml").write_text(dump_yaml(IMPORT_MAP))
    for cmd in (["init", "-q", "-b", "main"], ["config", "user.email", "e2e@example.com"], ["config", "user.name", "e2e"],
                ["add", "-A"], ["commit", "-qm", "an empty registry"]):
        run(["git", *cmd], cwd=root)
    w.base = run(["git", "rev-parse", "HEAD"], cwd=root).stdout.strip()
    w.hub = Registry(registry["url"])
    seed(broker, w.hub)
    w.before = cluster(broker)
    w.subjects = w.hub.ids()
    w.records = {t: all_records(broker, t) for t in (LETTERS, CONTENTIONS, TRACE)}
    return w


def test_01_import_drafts_the_tree_and_changes_nothing_on_the_cluster(ws):
    out = ws.eventbus("import", "--stack", "local", "--domain-map", str(ws.root / "import-map.yaml"), "--no-input")
    assert out.returncode == 0, out.stderr + out.stdout
    assert "[import] topics" in out.stderr  # progress on stderr
    for f in ("events/benefits/decision_letter_availability/event.yaml", "events/benefits/decision_letter_availability/v1.avsc",
              "events/benefits/decision_letter_availability/v2.avsc", "events/claims/contention_created/key.avsc",
              "events/forms/submission_trace_form_status_change/v1.avsc", "consumers/va-gov/status-tracker.yaml",
              "consumers/benefits-decisions/decision-letter-service.yaml", "teams/va-gov.yaml", "adopt/local.yaml"):
        assert (ws.root / f).is_file(), f"{f} not written\n{out.stdout}"
    letters, _ = parse_yaml((ws.root / "events/benefits/decision_letter_availability/event.yaml").read_text())
    assert letters["topic"]["name"] == LETTERS and letters["topic"]["partitions"] == 6 and letters["topic"]["retention_days"] == 14
    assert letters["owner"] == "benefits-decisions" and letters["producers"] == [{"application": "decision-letter-service"}]
    assert letters["schema"]["compatibility"] == "BACKWARD"
    contention, _ = parse_yaml((ws.root / "events/claims/contention_created/event.yaml").read_text())
    assert "name" not in contention["topic"] and contention["topic"]["cleanup_policy"] == "compact,delete"  # claims_contention_created
    assert contention["producers"] == [{"application": "bie-contention-connector", "idempotent": True}]
    record, _ = parse_yaml((ws.root / "adopt/local.yaml").read_text())
    assert record["topics"][LETTERS]["topic_id"] == ws.before["topics"][LETTERS][0]
    assert record["topics"][LETTERS]["kept_config"] == {"segment.ms": "3600000"}
    assert [v["id"] for v in record["subjects"][f"{LETTERS}-value"]["versions"]] == [i for _, i in ws.subjects[f"{LETTERS}-value"]]
    reader = record["applications"]["va-gov/status-tracker"]
    assert reader == {"kafka_user": "status-reader", "credential": "keep", "consumer_group": {"name": GROUP}}
    assert record["applications"]["benefits-decisions/decision-letter-service"]["kept_acls"] == [
        {"resource_type": "Topic", "name": LETTERS, "operation": "Create"}]
    assert "orphan_subject-value" in out.stdout and "__consumer_offsets" in out.stdout  # reported as not imported
    # read-only: the cluster and the registry are exactly as they were
    assert cluster(ws.broker) == ws.before
    assert ws.hub.ids() == ws.subjects


def test_02_the_gate_refuses_every_placeholder_with_its_own_finding(ws):
    out = ws.eventbus("validate", "--format", "json")
    assert out.returncode == 1
    findings = json.loads(out.stdout)["findings"]
    holes = [f for f in findings if f["rule"] == "placeholder"]
    assert len(holes) >= 15, out.stdout[:3000]
    assert not [f for f in findings if f["rule"] == "schema"], "a placeholder must not also be a schema error"
    by_file = {f["file"] for f in holes}
    assert {"teams/va-gov.yaml", "consumers/va-gov/status-tracker.yaml", "events/benefits/decision_letter_availability/event.yaml"} <= by_file
    purpose = next(f for f in holes if f["message"].startswith("subscriptions[0].purpose"))
    assert purpose["line"] > 1 and "why the application needs" in purpose["hint"]


def test_03_filled_in_the_gate_passes_and_the_plan_says_adopted(ws):
    assert fill_in(ws.root) >= 15
    out = ws.eventbus("validate")
    assert out.returncode == 0, out.stdout
    assert "avro-doc" in out.stdout and "adopted as is" in out.stdout  # the hand-registered trace schema has no docs: history, a warning
    run(["git", "add", "-A"], cwd=ws.root)
    run(["git", "commit", "-qm", "import the live bus"], cwd=ws.root)
    plan = ws.eventbus("plan", "--base", ws.base, "--stack", "local")
    assert plan.returncode == 0, plan.stderr
    text = plan.stdout
    assert text.count("adopted: adopt the live topic") == 3, text
    assert "create:" not in text and "topics adopted 3" in text
    adopted = [line for line in text.splitlines() if "adopted: adopt the live topic" in line]
    assert not [line for line in adopted if "→" in line], adopted  # the tree says what is live: no setting changes
    assert "`va-gov/status-tracker` (adopted)" in text and "kept as found live" in text


def test_04_a_tree_that_shrinks_a_live_topic_is_refused_before_anything_is_touched(ws):
    path = ws.root / "events/benefits/decision_letter_availability/event.yaml"
    original = path.read_text()
    ws.edit_yaml("events/benefits/decision_letter_availability/event.yaml", lambda d: d["topic"].update(partitions=4))
    try:
        out = ws.pulumi("up", "--yes", "--skip-preview", check=False)
        assert out.returncode != 0
        assert "adopt-partitions" in out.stdout and "nothing deployed" in out.stdout
        state = json.loads(ws.pulumi("stack", "export").stdout)
        assert [r["type"] for r in state["deployment"].get("resources") or [] if r["type"] not in ("pulumi:pulumi:Stack",)] == []
        assert cluster(ws.broker) == ws.before and ws.hub.ids() == ws.subjects
    finally:
        path.write_text(original)


def test_05_up_adopts_everything_and_loses_nothing(ws):
    out = ws.up()
    summary = out.stdout[out.stdout.rfind("Resources:"):]
    imported = int(re.search(r"= (\d+) imported", summary).group(1))
    assert imported == 3 + 4 + 4, summary  # topics, subjects (3 value, 1 key; the orphan is not ours), principals
    after = cluster(ws.broker)
    assert after["topics"] == ws.before["topics"]  # same ids, same partitions: nothing recreated
    assert after["acls"] == ws.before["acls"]  # the Create that kafka-acls --producer granted is kept
    assert after["users"] == ws.before["users"] and after["offsets"] == ws.before["offsets"]
    assert after["overrides"][LETTERS]["segment.ms"] == "3600000" and after["overrides"][LETTERS]["retention.ms"] == str(14 * 86_400_000)
    assert {t: all_records(ws.broker, t) for t in ws.records} == ws.records
    assert ws.hub.ids() == ws.subjects  # same versions, same schema ids
    # nobody is cut off: the legacy consumer resumes in its own group with its own password, producers still write
    produce(user_conf(ws.broker, "letters-svc"), LETTERS, 3, "after")
    got = consume(user_conf(ws.broker, "status-reader"), GROUP, [LETTERS, CONTENTIONS], RECORDS + 3)
    assert len(got) == RECORDS + 3 and b"after-0" in got


def test_06_a_second_up_changes_nothing(ws):
    out = ws.up()
    summary = out.stdout[out.stdout.rfind("Resources:"):]
    assert re.fullmatch(r"Resources:\s+\d+ unchanged\s*", summary.split("Duration")[0]), summary


def test_07_import_again_adopts_only_what_the_cluster_gained(ws):
    admin = AdminClient(admin_conf(ws.broker))
    admin.create_topics([NewTopic(UPDATES, 2, 1)])[UPDATES].result()
    for fut in admin.create_acls([allow("claims-bie", ResourceType.TOPIC, UPDATES, op) for op in (AclOperation.WRITE, AclOperation.DESCRIBE)]).values():
        fut.result()
    ws.hub.register(f"{UPDATES}-value", UPDATE_V1)
    produce(admin_conf(ws.broker), UPDATES, 5, "update")
    before_files = {p: p.read_text() for p in ws.root.rglob("*.yaml") if ".state" not in p.parts}
    out = ws.eventbus("import", "--stack", "local", "--domain-map", str(ws.root / "import-map.yaml"), "--no-input")
    assert out.returncode == 0, out.stderr
    written = out.stdout.split("written:")[1].split("\n\n")[0]
    assert "events/claims/contention_updated/event.yaml" in written and "adopt/local.yaml" in written
    assert "consumers/" not in written and "teams/" not in written  # claims-bie is an application of the tree now
    for p, text in before_files.items():
        if p.name != "local.yaml" or p.parent.name != "adopt":
            assert p.read_text() == text, f"{p} was rewritten"
    record, _ = parse_yaml((ws.root / "adopt/local.yaml").read_text())
    assert set(record["topics"]) == {LETTERS, CONTENTIONS, TRACE, UPDATES}
    updates, _ = parse_yaml((ws.root / "events/claims/contention_updated/event.yaml").read_text())
    assert updates["owner"] == "claims-platform" and updates["producers"] == [{"application": "bie-contention-connector"}]  # its live writer
    fill_in(ws.root)
    assert ws.eventbus("validate").returncode == 0
    topic_id = cluster(ws.broker)["topics"][UPDATES]
    out = ws.up()
    assert "= 2 imported" in out.stdout  # the topic and its subject
    assert cluster(ws.broker)["topics"][UPDATES] == topic_id and len(all_records(ws.broker, UPDATES)) == 5
