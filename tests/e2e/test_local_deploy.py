"""Merge-to-deploy for real: the Pulumi engine deploys the registry to a real Kafka broker, and the
broker enforces exactly the access the registry grants. One scenario, in order."""
from __future__ import annotations

import io
import json
import os
import shutil
import signal
import struct
import subprocess
import time
import uuid

import pytest
from confluent_kafka import Consumer, KafkaError, KafkaException, Producer
from confluent_kafka.admin import AdminClient, ConfigResource, NewPartitions, ResourceType
from fastavro import parse_schema, schemaless_reader, schemaless_writer

from eventbus.adapters.kafka_admin import compare, read_live
from eventbus.desired import compute
from eventbus.desired.clients import scram_password
from eventbus.load.registry import load_registry
from eventbus.load.stacks import load_stack
from tests.e2e.conftest import admin_conf

pytestmark = pytest.mark.e2e

REFILL = "events/health/prescription_refill_requested"
REFILL_TOPIC = "health_prescription_refill_requested"
PRODUCER = "pharmacy.refill-request-gateway"
CONSUMER = "pharmacy.refill-tracker"
CONSUMER_GROUP = "pharmacy.refill-tracker.v2"
OUTSIDER = "health-appointments.appointment-reminders"  # consumes appointments, not refills


def desired(ws):
    return compute(load_registry(str(ws.root)).registry, load_stack(str(ws.root), "local"))


def drift(ws):
    return compare(desired(ws), read_live(admin_conf(ws.broker)))


def client(ws, user: str, **extra) -> dict:
    return {"bootstrap.servers": ws.broker["bootstrap"], "security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "SCRAM-SHA-512",
            "sasl.username": user, "sasl.password": scram_password("e2e-seed", user), **extra}


def latest_schema(ws, folder: str):
    versions = sorted((ws.root / folder).glob("v*.avsc"), key=lambda p: int(p.stem[1:]))
    return int(versions[-1].stem[1:]), json.loads(versions[-1].read_text())


def encode(version: int, schema: dict, record: dict) -> bytes:
    buf = io.BytesIO()
    buf.write(struct.pack(">bI", 0, version))  # Confluent wire format: magic byte + schema id
    schemaless_writer(buf, parse_schema(schema), record)
    return buf.getvalue()


def produce(ws, user: str, topic: str, values: list[bytes]) -> None:
    errors = []
    p = Producer(client(ws, user, **{"enable.idempotence": False, "message.timeout.ms": 15000}))
    for v in values:
        p.produce(topic, value=v, key=b"k", on_delivery=lambda err, _msg: errors.append(err) if err else None)
    remaining = p.flush(30)
    if errors or remaining:
        raise KafkaException(errors[0] if errors else KafkaError(KafkaError._MSG_TIMED_OUT))


def consume(ws, user: str, group: str, topic: str, n: int, timeout: float = 30, commit: bool = True):
    """The values of up to ``n`` records of ``topic`` from the start, read as ``user`` in ``group``
    (``commit``: commit the offsets read)."""
    c = Consumer(client(ws, user, **{"group.id": group, "auto.offset.reset": "earliest", "enable.auto.commit": commit}))
    c.subscribe([topic])
    got, deadline = [], time.monotonic() + timeout
    try:
        # n == 0: read for the whole timeout and just prove no error comes back
        while (n == 0 or len(got) < n) and time.monotonic() < deadline:
            msg = c.poll(1.0)
            if msg is None:
                continue
            if msg.error():
                raise KafkaException(msg.error())
            got.append(msg.value())
    finally:
        c.close()
    return got


def plain(value):
    """Back to the JSON form of the examples: logical types as the ints/strings they are encoded as."""
    import datetime as dt

    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime):
        return int(value.timestamp() * 1000)
    if isinstance(value, dt.date):
        return (value - dt.date(1970, 1, 1)).days
    return value


def assert_refused(fn, *codes):
    with pytest.raises(KafkaException) as exc:
        fn()
    err = exc.value.args[0]
    assert err.code() in codes, f"expected {codes}, got {err}"


AUTH = (KafkaError.TOPIC_AUTHORIZATION_FAILED, KafkaError.GROUP_AUTHORIZATION_FAILED)


def topic_ids(ws) -> dict:
    admin = AdminClient(admin_conf(ws.broker))
    from confluent_kafka import TopicCollection

    existing = set(admin.list_topics(timeout=20).topics)
    names = [t.name for t in desired(ws).topics if t.name in existing]
    futs = admin.describe_topics(TopicCollection(names), request_timeout=20)
    return {n: str(f.result().topic_id) for n, f in futs.items()}


def test_01_up_creates_every_topic_and_acl(workspace):
    out = workspace.up()
    assert "leaves out: IAM roles and policies" in out.stdout + out.stderr  # the program says so once
    d = drift(workspace)
    assert d.clean, "\n".join(d.lines)
    state = desired(workspace)
    live = read_live(admin_conf(workspace.broker))
    assert set(live.topics) >= {t.name for t in state.topics} and len(state.topics) >= 11
    t = live.topics["claims_claim_lifecycle_status"]
    assert t.partitions == 8 and t.config["cleanup.policy"] == "compact" and t.config["retention.ms"] == "-1"
    # the deploy materialises the catalog in the folder the stack names
    index = workspace.root / ".state" / "catalog" / "index.html"
    assert index.is_file()
    assert "Prescription refill requested" in index.read_text()
    # each version page shows the schema id the registry gave it (what a producer pins), read from the registry itself
    from eventbus.adapters.schema_registry import SchemaRegistry

    reg = SchemaRegistry(workspace.registry["url"], timeout=10)
    subject = REFILL_TOPIC + "-value"
    for v in reg.versions(subject):
        page = (workspace.root / ".state" / "catalog" / REFILL / f"v{v.version}.html").read_text()
        row = page[page.index(subject):][:600]
        assert f"<code>{v.id}</code>" in row and "assigned at deploy" not in row, row


def test_02_producer_writes_avro_and_subscriber_reads_it(workspace):
    version, schema = latest_schema(workspace, REFILL)
    examples = [json.loads(p.read_text()) for p in sorted((workspace.root / REFILL / "examples").glob("*.json"))]
    produce(workspace, PRODUCER, REFILL_TOPIC, [encode(version, schema, ex) for ex in examples] + [encode(version, schema, {**examples[0]})])
    got = consume(workspace, CONSUMER, CONSUMER_GROUP, REFILL_TOPIC, len(examples) + 1)
    assert len(got) == len(examples) + 1
    decoded = []
    for raw in got:
        magic, vid = struct.unpack(">bI", raw[:5])
        assert magic == 0 and vid == version
        decoded.append(schemaless_reader(io.BytesIO(raw[5:]), parse_schema(schema), None))
    assert [plain(d) for d in decoded[: len(examples)]] == examples  # the example payloads, decoded with the latest schema


def test_03_unsubscribed_and_wrong_direction_are_refused(workspace):
    # an application that did not subscribe cannot read
    assert_refused(lambda: consume(workspace, OUTSIDER, "health-appointments.appointment-reminders", REFILL_TOPIC, 1, timeout=15), *AUTH)
    # a consumer cannot write to the topic it reads
    version, schema = latest_schema(workspace, REFILL)
    example = json.loads(next((workspace.root / REFILL / "examples").glob("*.json")).read_text())
    assert_refused(lambda: produce(workspace, CONSUMER, REFILL_TOPIC, [encode(version, schema, example)]), KafkaError.TOPIC_AUTHORIZATION_FAILED)
    # a consumer cannot use another application's group
    assert_refused(lambda: consume(workspace, CONSUMER, "someone-elses-group", REFILL_TOPIC, 1, timeout=15), *AUTH)


def test_04_second_up_changes_nothing(workspace):
    out = workspace.pulumi("preview", "--expect-no-changes", check=False)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]


def test_05_tree_changes_converge(workspace):
    ws = workspace
    # new event (copy of an existing one under a new name)
    src, dst = ws.root / "events/health/appointment_booked", ws.root / "events/health/appointment_cancelled"
    shutil.copytree(src, dst)
    ws.edit_yaml("events/health/appointment_cancelled/event.yaml", lambda d: d.update(title="Appointment cancelled"))
    # new subscription (the outsider now subscribes to refills, approved by the owners) ...
    ws.edit_yaml(f"{REFILL}/event.yaml", lambda d: d["access"]["allowed_consumers"].append("health-appointments/appointment-reminders"))

    def subscribe(d):
        d["subscriptions"].append({"event": "health/prescription_refill_requested", "purpose": "Remind Veterans to pick up refills.", "environments": ["prod"]})
        d["compliance"].setdefault("data_sharing_agreement", "DSA-E2E-1")

    ws.edit_yaml("consumers/health-appointments/appointment-reminders.yaml", subscribe)
    # more partitions
    ws.edit_yaml("events/claims/claim_lifecycle_status/event.yaml", lambda d: d["topic"].update(partitions=10))
    # a subscription removed: the claim status notifier stops reading decision letters
    notifier = "va-notify.claim-status-notifier"
    ws.edit_yaml("consumers/va-notify/claim-status-notifier.yaml",
                 lambda d: d.update(subscriptions=[s for s in d["subscriptions"] if s["event"] != "benefits/decision_letter_availability"]))
    consume(ws, notifier, notifier, "benefits_decision_letter_availability", 0, timeout=6)  # allowed before: no error
    gate = ws.eventbus("validate")
    assert gate.returncode == 0, gate.stdout
    before = topic_ids(ws)
    ws.up()
    d = drift(ws)
    assert d.clean, "\n".join(d.lines)
    live = read_live(admin_conf(ws.broker))
    assert live.topics["claims_claim_lifecycle_status"].partitions == 10
    assert "health_appointment_cancelled" in live.topics
    after = topic_ids(ws)
    assert {k: v for k, v in after.items() if k in before} == before  # nothing recreated
    # granted access works, revoked access is really refused
    assert consume(ws, OUTSIDER, "health-appointments.appointment-reminders", REFILL_TOPIC, 1)
    assert_refused(lambda: consume(ws, notifier, notifier, "benefits_decision_letter_availability", 1, timeout=15), *AUTH)
    consume(ws, notifier, notifier, "claims_claim_lifecycle_status", 0, timeout=6)  # what it kept still works


def test_06_drift_detects_changes_behind_the_programs_back(workspace):
    ws = workspace
    assert ws.eventbus("drift", "--stack", "local").returncode == 0
    admin = AdminClient(admin_conf(ws.broker))
    res = ConfigResource(ResourceType.TOPIC, "claims_status")
    from confluent_kafka.admin import AlterConfigOpType, ConfigEntry

    res.add_incremental_config(ConfigEntry("retention.ms", "1000", incremental_operation=AlterConfigOpType.SET))
    admin.incremental_alter_configs([res])[res].result(20)
    admin.create_partitions([NewPartitions("claims_status", 5)])["claims_status"].result(20)
    out = ws.eventbus("drift", "--stack", "local")
    assert out.returncode == 1
    assert "topic claims_status: retention.ms=1000 on the cluster" in out.stdout
    assert "topic claims_status: 5 partitions on the cluster, 3 desired" in out.stdout
    # put retention back through the program (partitions cannot shrink: the registry catches up instead)
    ws.edit_yaml("events/claims/status/event.yaml", lambda d: d["topic"].update(partitions=5))
    ws.up()
    assert ws.eventbus("drift", "--stack", "local").returncode == 0


def _kill_session(sid: int) -> None:
    """Kill every process of a session (Linux: the session id is field 6 of /proc/<pid>/stat)."""
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            if int(fields[3]) == sid:
                os.kill(int(pid), signal.SIGKILL)
        except (OSError, ValueError, IndexError):  # gone meanwhile, or not ours to kill
            pass


def test_07_killed_up_converges_without_losing_topics(workspace):
    ws = workspace
    before = topic_ids(ws)
    for i in range(6):  # a change big enough to be interrupted
        dst = ws.root / f"events/health/appointment_moved_{i}"
        shutil.copytree(ws.root / "events/health/appointment_booked", dst)
    ws.edit_yaml("events/claims/claim_lifecycle_status/event.yaml", lambda d: d["topic"].update(partitions=12))
    proc = subprocess.Popen(["pulumi", "up", "--yes", "--skip-preview", "--stack", "local", "--non-interactive"], cwd=ws.root, env=ws.env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    deadline = time.monotonic() + 120
    seen = ""
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        seen += line
        if "creating" in line or "updating" in line or not line:
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    _kill_session(proc.pid)  # and what it started: its plugins (each in a process group of its own) outlive a killed CLI
    # a second deploy while the killed one holds the lock refuses (state is not touched)
    refused = ws.up(check=False)
    assert refused.returncode != 0 and "locked" in refused.stderr
    # recovery, as documented: release the dead run's lock, clear its pending creates, re-run
    ws.pulumi("cancel", "--yes", check=False)
    ws.pulumi("refresh", "--yes", "--clear-pending-creates", check=False)
    ws.up()
    d = drift(ws)
    assert d.clean, "\n".join(d.lines)
    after = topic_ids(ws)
    assert {k: v for k, v in after.items() if k in before} == before, "a topic was lost or recreated"
    assert read_live(admin_conf(ws.broker)).topics["claims_claim_lifecycle_status"].partitions == 12


def test_08_protected_topic_cannot_be_deleted(workspace):
    ws = workspace
    ws.edit_yaml("Pulumi.local.yaml", lambda d: d["config"].update({"eventbus:protect": True}))
    ws.up()
    shutil.rmtree(ws.root / "events/health/appointment_moved_0")
    out = ws.up(check=False)
    assert out.returncode != 0
    assert "protect" in (out.stdout + out.stderr).lower()
    assert "health_appointment_moved_0" in read_live(admin_conf(ws.broker)).topics
