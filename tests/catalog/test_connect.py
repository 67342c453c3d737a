"""Connect snippets work when pasted: the Python ones run against the real confluent-kafka client classes (librdkafka
checks every setting when a Consumer or Producer is created), the Java properties are well formed with the right
(de)serializers, and the defaults are placeholders, never another team's role or group."""
from __future__ import annotations

import dataclasses
import sys
import types

import pytest

from eventbus.catalog import connect
from eventbus.catalog.exporters.connect import ConnectExporter
from eventbus.catalog.model import build_model
from eventbus.desired import compute
from eventbus.load.registry import load_registry
from eventbus.load.stacks import load_stack
from tests.conftest import REPO

REGISTRY_URL = "https://schema-registry.eeb-prod.example.va.gov"
LOCAL_REGISTRY = "http://127.0.0.1:18081/apis/ccompat/v7"


def confluent(stack, url):
    """The stack as it will read once it names a Confluent-compatible registry (eventbus:schemaRegistry kind confluent)."""
    raw = {**stack.raw, "eventbus:schemaRegistry": {"kind": "confluent", "url": url}}
    return dataclasses.replace(stack, raw=raw, registry_kind="confluent", registry_url=url)


@pytest.fixture(scope="module")
def cat():
    reg = load_registry(str(REPO)).registry
    stacks = [confluent(load_stack(str(REPO), "prod"), REGISTRY_URL), confluent(load_stack(str(REPO), "local"), LOCAL_REGISTRY)]
    return build_model(reg, [(s, compute(reg, s)) for s in stacks])


def blocks(cat, ref):
    info = cat.events_by_ref[ref]
    return {v.name: connect.block(v, v.topic(ref), info) for v in cat.stacks if v.topic(ref)}


def snippet(block, role, lang):
    return next(s for s in block.snippets if s.role == role and s.lang == lang)


def properties(text: str) -> dict[str, str]:
    out = {}
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition("=")
        assert sep, f"not key=value: {line!r}"
        assert " #" not in value, f"a comment inside a value (Java reads it as part of the value): {line!r}"
        out[key.strip()] = value.strip()
    return out


def test_java_consumer_and_producer_properties(cat):
    b = blocks(cat, "claims/contention_created")["prod"]
    c = properties(snippet(b, "consumer", "java").text)
    assert c["security.protocol"] == "SASL_SSL" and c["sasl.mechanism"] == "AWS_MSK_IAM"
    assert c["sasl.jaas.config"] == 'software.amazon.msk.auth.iam.IAMLoginModule required awsRoleArn="<ROLE_ARN>" awsStsRegion="us-gov-west-1";'
    assert c["sasl.client.callback.handler.class"] == "software.amazon.msk.auth.iam.IAMClientCallbackHandler"
    assert c["key.deserializer"] == c["value.deserializer"] == "io.confluent.kafka.serializers.KafkaAvroDeserializer"
    assert c["schema.registry.url"] == REGISTRY_URL and c["group.id"] == "<GROUP_ID>"
    assert "key.serializer" not in c and "auto.register.schemas" not in c  # consumer and producer are not mixed
    p = properties(snippet(b, "producer", "java").text)
    assert p["key.serializer"] == p["value.serializer"] == "io.confluent.kafka.serializers.KafkaAvroSerializer"
    assert p["auto.register.schemas"] == "false" and p["use.latest.version"] == "true" and p["enable.idempotence"] == "false"
    assert "group.id" not in p and "value.deserializer" not in p
    assert "claims_contention_created-value" in snippet(b, "consumer", "java").text
    local = properties(snippet(blocks(cat, "claims/contention_created")["local"], "consumer", "java").text)
    assert local["security.protocol"] == "SASL_PLAINTEXT" and local["sasl.mechanism"] == "SCRAM-SHA-512"
    assert local["schema.registry.url"] == LOCAL_REGISTRY and 'username="<USERNAME>"' in local["sasl.jaas.config"]


def test_unkeyed_event_reads_raw_keys(cat):
    ref = next(i.ref for i in cat.events if i.event.key_schema is None and any(v.topic(i.ref) for v in cat.stacks))
    b = next(iter(blocks(cat, ref).values()))
    assert properties(snippet(b, "consumer", "java").text)["key.deserializer"] == "org.apache.kafka.common.serialization.ByteArrayDeserializer"


class _Stop(Exception):
    pass


@pytest.fixture()
def client_sandbox(monkeypatch):
    """Real confluent-kafka Consumer/Producer classes (config checked by librdkafka) that never poll or wait; stand-ins
    for the schema registry client and the MSK token signer that record how they were called."""
    import confluent_kafka as real

    calls: dict[str, list] = {"consumer": [], "producer": [], "registry": [], "deser": [], "ser": [], "token": [], "produced": []}
    import logging

    quiet = logging.getLogger("eventbus.tests.librdkafka")  # the brokers do not resolve here: keep librdkafka's logs off stderr
    quiet.propagate = False
    quiet.addHandler(logging.NullHandler())

    class Consumer(real.Consumer):
        def __init__(self, conf):
            super().__init__({**conf, "logger": quiet})
            calls["consumer"].append(conf)

        def subscribe(self, topics, **kw):
            calls["topics"] = topics

        def poll(self, timeout=None):
            raise _Stop

    class Producer(real.Producer):
        def __init__(self, conf):
            super().__init__({**conf, "logger": quiet})
            calls["producer"].append(conf)

        def produce(self, topic, value=None, key=None, **kw):
            calls["produced"].append((topic, key, value))

        def flush(self, timeout=None):
            return 0

    fake = types.ModuleType("confluent_kafka")
    fake.Consumer, fake.Producer = Consumer, Producer
    sr = types.ModuleType("confluent_kafka.schema_registry")

    class SchemaRegistryClient:
        def __init__(self, conf):
            assert set(conf) == {"url", "timeout"} and conf["timeout"] > 0 and conf["url"].startswith(("http://", "https://"))
            calls["registry"].append(conf)

    sr.SchemaRegistryClient = SchemaRegistryClient
    avro = types.ModuleType("confluent_kafka.schema_registry.avro")

    from confluent_kafka.schema_registry.avro import AvroDeserializer as RealDeserializer
    from confluent_kafka.schema_registry.avro import AvroSerializer as RealSerializer

    class AvroDeserializer:
        def __init__(self, client, schema_str=None, from_dict=None, conf=None, **kw):
            assert isinstance(client, SchemaRegistryClient)
            assert set(conf or {}) <= set(RealDeserializer._default_conf)  # settings the real client knows
            assert (conf or {}).get("subject.name.strategy.type") == "TOPIC"  # the bus's subject names
            calls["deser"].append(schema_str)

    class AvroSerializer:
        def __init__(self, client, schema_str, to_dict=None, conf=None):
            assert isinstance(client, SchemaRegistryClient)
            assert set(conf) <= set(RealSerializer._default_conf)  # settings the real client knows
            calls["ser"].append(conf)

        def __call__(self, obj, ctx):
            assert ctx.topic and ctx.field in ("key", "value")
            return b"\0avro"

    avro.AvroDeserializer, avro.AvroSerializer = AvroDeserializer, AvroSerializer
    signer = types.ModuleType("aws_msk_iam_sasl_signer")

    class MSKAuthTokenProvider:
        @staticmethod
        def generate_auth_token_from_role_arn(region, role_arn):
            import time

            calls["token"].append((region, role_arn))
            return "token", int(time.time() * 1000) + 900_000  # like the real signer: absolute expiry, epoch milliseconds

    signer.MSKAuthTokenProvider = MSKAuthTokenProvider
    import confluent_kafka.serialization as serialization

    for name, mod in {"confluent_kafka": fake, "confluent_kafka.schema_registry": sr, "confluent_kafka.schema_registry.avro": avro,
                      "confluent_kafka.serialization": serialization, "aws_msk_iam_sasl_signer": signer}.items():
        monkeypatch.setitem(sys.modules, name, mod)
    monkeypatch.setenv("KAFKA_PASSWORD", "from-eventbus-credentials")
    return calls


def run(code: str) -> None:
    try:
        exec(compile(code, "snippet.py", "exec"), {"__name__": "snippet"})
    except _Stop:
        pass


def test_python_consumer_runs_with_the_real_client(cat, client_sandbox):
    b = blocks(cat, "claims/contention_created")["prod"]
    run(snippet(b, "consumer", "python").text)
    (conf,) = client_sandbox["consumer"]
    assert conf["security.protocol"] == "SASL_SSL" and conf["sasl.mechanisms"] == "OAUTHBEARER" and callable(conf["oauth_cb"])
    assert conf["group.id"] == "<GROUP_ID>" and conf["enable.auto.commit"] is False
    assert client_sandbox["topics"] == ["claims_contention_created"]
    assert client_sandbox["registry"] == [{"url": REGISTRY_URL, "timeout": 10}] and len(client_sandbox["deser"]) == 2  # key and value
    token, expiry = conf["oauth_cb"](None)  # seconds since the epoch, as librdkafka wants them
    assert token == "token" and expiry > 1.7e9 and client_sandbox["token"][-1] == ("us-gov-west-1", "<ROLE_ARN>")


def test_python_producer_runs_with_the_real_client(cat, client_sandbox):
    b = blocks(cat, "claims/contention_created")["prod"]
    run(snippet(b, "producer", "python").text)
    (conf,) = client_sandbox["producer"]
    assert conf["enable.idempotence"] is False and conf["acks"] == "all"
    assert client_sandbox["ser"] == [{"auto.register.schemas": False, "use.latest.version": True, "subject.name.strategy.type": "TOPIC"}] * 2
    ((topic, key, value),) = client_sandbox["produced"]
    assert topic == "claims_contention_created" and key == value == b"\0avro"


def test_python_local_snippets_use_scram(cat, client_sandbox):
    b = blocks(cat, "claims/contention_created")["local"]
    run(snippet(b, "consumer", "python").text)
    run(snippet(b, "producer", "python").text)
    c, p = client_sandbox["consumer"][0], client_sandbox["producer"][0]
    for conf in (c, p):
        assert conf["security.protocol"] == "SASL_PLAINTEXT" and conf["sasl.mechanisms"] == "SCRAM-SHA-512"
        assert conf["sasl.username"] == "<USERNAME>" and conf["sasl.password"] == "from-eventbus-credentials"
    assert client_sandbox["registry"][0] == {"url": LOCAL_REGISTRY, "timeout": 10}


def test_cli_lines(cat):
    b = blocks(cat, "claims/contention_created")["prod"]
    c = snippet(b, "consumer", "cli").text
    assert "kafka-avro-console-consumer --bootstrap-server 'b-1.eeb-prod" in c and f"--property 'schema.registry.url={REGISTRY_URL}'" in c
    assert "'sasl.mechanism=AWS_MSK_IAM'" in c and "--consumer.config client.properties" in c and "--group '<GROUP_ID>'" in c
    p = snippet(b, "producer", "cli").text
    assert "kafka-avro-console-producer" in p and "auto.register.schemas=false" in p and "value.schema.file=v2.avsc" in p


def test_fill_in_values_are_only_options(cat):
    b = blocks(cat, "claims/contention_created")["prod"]
    assert b.identities[0].app_ref == "" and b.identities[0].values["role"] == "<ROLE_ARN>"
    readers = [i for i in b.identities if i.role == "consumer"]
    assert readers and all(i.values["role"].startswith("arn:aws-us-gov:iam::210987654321:role/") for i in readers)
    assert all("arn:aws-us-gov:iam::210987654321:role/" not in s.text for s in b.snippets)


def test_glue_registry_settings():
    reg = load_registry(str(REPO)).registry
    # prod targets the Confluent registry; Glue stays selectable: the same stack with kind glue
    stack = dataclasses.replace(load_stack(str(REPO), "prod"), registry_kind="glue", registry_name="eeb-prod", registry_url=None)
    cat = build_model(reg, [(stack, compute(reg, stack))])
    b = blocks(cat, "claims/contention_created")["prod"]
    c = properties(snippet(b, "consumer", "java").text)
    assert c["value.deserializer"] == "com.amazonaws.services.schemaregistry.deserializers.GlueSchemaRegistryKafkaDeserializer"
    assert c["registry.name"] == "eeb-prod" and c["region"] == "us-gov-west-1"
    p = properties(snippet(b, "producer", "java").text)
    assert p["schemaAutoRegistrationEnabled"] == "false" and p["schemaName"] == "claims_contention_created-value"
    assert not [s for s in b.snippets if s.lang == "cli"]  # no CLI decodes the Glue wire format
    compile(snippet(b, "consumer", "python").text, "consumer.py", "exec")
    compile(snippet(b, "producer", "python").text, "producer.py", "exec")


def test_connect_exporter_alone(cat):
    files = dict(ConnectExporter(cat).event_files(cat.events_by_ref["claims/contention_created"]))
    assert set(files) == {f"connect/{s}/claims/contention_created/{r}.{x}" for s in ("prod", "local") for r in ("consumer", "producer")
                          for x in ("properties", "py", "sh")}
    assert "<GROUP_ID>" in files["connect/prod/claims/contention_created/consumer.properties"]
    assert "&lt;" not in files["connect/prod/claims/contention_created/consumer.py"]  # plain text, not HTML


def test_python_producer_example_key_and_value_fit_the_schemas(cat, client_sandbox):
    """The producer's example key and value serialize as pasted: a record key gets its fields (an empty dict does
    not: 'no value and no default for stationNumber')."""
    import fastavro

    for info in cat.events:
        if not info.event.examples:
            continue
        for b in blocks(cat, info.ref).values():
            g: dict = {"__name__": "snippet"}
            exec(compile(snippet(b, "producer", "python").text, "producer.py", "exec"), g)
            latest = info.event.versions[-1].schema
            fastavro.validation.validate(g["value"], fastavro.parse_schema(latest), raise_errors=True)
            if info.event.key_schema is not None:
                fastavro.validation.validate(g["key"], fastavro.parse_schema(info.event.key_schema.schema), raise_errors=True)


def test_cli_lines_run_in_bash(cat, tmp_path):
    """Pasted into bash as they are: the password is expanded into client.properties (not written as the text
    $KAFKA_PASSWORD), and a placeholder left in (<GROUP_ID>) reaches the tool as an argument, not as a redirection."""
    import shutil
    import subprocess

    for stack in ("local", "prod"):
        b = blocks(cat, "claims/contention_created")[stack]
        for role in ("consumer", "producer"):
            tool = f"kafka-avro-console-{role}"
            script = f"{tool}() {{ printf '%s\\n' \"$@\" > args; }}\n" + snippet(b, role, "cli").text
            run_dir = tmp_path / stack / role
            run_dir.mkdir(parents=True)
            subprocess.run([shutil.which("bash"), "-c", script], cwd=run_dir, check=True, env={"KAFKA_PASSWORD": "s3cret", "PATH": "/usr/bin:/bin"})
            props = (run_dir / "client.properties").read_text()
            args = (run_dir / "args").read_text().splitlines()
            assert "$KAFKA_PASSWORD" not in props
            if stack == "local":
                assert 'password="s3cret";' in props
            assert args[args.index("--topic") + 1] == "claims_contention_created"
            assert args[args.index("--bootstrap-server") + 1] == cat.stacks[[v.name for v in cat.stacks].index(stack)].servers
            if role == "consumer":
                assert args[args.index("--group") + 1] == "<GROUP_ID>"
