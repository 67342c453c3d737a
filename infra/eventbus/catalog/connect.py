"""Client settings that work when pasted: per stack, per language, consumer and producer apart.

For one event on one stack: Java client properties, Python ``confluent-kafka``
and a Kafka CLI line, each for a consumer and for a producer, with

* the cluster's authentication: MSK IAM (``AWS_MSK_IAM`` with
  ``IAMLoginModule`` in Java and the CLI; SASL/OAUTHBEARER with an ``oauth_cb``
  from ``aws-msk-iam-sasl-signer-python`` in Python) or SASL/SCRAM on a local
  stack;
* the schema registry and the (de)serializers: a Confluent-compatible registry
  (``KafkaAvroDeserializer``/``KafkaAvroSerializer``, ``AvroDeserializer``/
  ``AvroSerializer``; producers never register schemas:
  ``auto.register.schemas=false``, ``use.latest.version=true``), AWS Glue
  (the Glue Schema Registry serde), or a stack without a registry (said so);
* the subjects (``<topic>-value``, ``<topic>-key``) of the desired state.

Values that depend on the application (role ARN, consumer group, SCRAM user)
are placeholders by default (``<ROLE_ARN>``); the page's "fill in for"
selector replaces them with an application's values only when the reader asks.
They sit in ``<span class="v" data-v="…">`` so the text of a block is the
snippet either way.
"""
from __future__ import annotations

import pprint
import re
import weakref
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from eventbus.catalog.model import EventView, StackView
from eventbus.desired import AppSpec, TopicSpec
from eventbus.model import naming

JAVA_AVRO_DESER = "io.confluent.kafka.serializers.KafkaAvroDeserializer"
JAVA_AVRO_SER = "io.confluent.kafka.serializers.KafkaAvroSerializer"
GLUE_DESER = "com.amazonaws.services.schemaregistry.deserializers.GlueSchemaRegistryKafkaDeserializer"
GLUE_SER = "com.amazonaws.services.schemaregistry.serializers.GlueSchemaRegistryKafkaSerializer"
IAM_HANDLER = "software.amazon.msk.auth.iam.IAMClientCallbackHandler"
PLACEHOLDERS = {"role": "<ROLE_ARN>", "group": "<GROUP_ID>", "user": "<USERNAME>", "app": "<team>/<application>", "idem": "false", "idem_py": "False"}
DYNAMIC = set(PLACEHOLDERS)


@dataclass
class Snippet:
    id: str
    role: str  # consumer | producer
    lang: str  # java | python | cli
    label: str
    filename: str  # what to save it as
    code: Markup  # escaped HTML with fillable spans

    @property
    def text(self) -> str:
        """The snippet as plain text (placeholders in place)."""
        import re
        from html import unescape

        return unescape(re.sub(r"<[^>]+>", "", str(self.code)))


@dataclass
class Identity:
    """Values for one application with access; the placeholders are the default."""

    label: str
    app_ref: str
    role: str  # consumer | producer
    values: dict[str, str]


@dataclass
class ConnectBlock:
    view: StackView
    topic: TopicSpec
    value_subject: str | None
    key_subject: str | None
    identities: list[Identity]
    snippets: list[Snippet]
    notes: list[str]

    @property
    def id(self) -> str:
        return f"cx-{self.view.name}-{self.topic.name}"

    def by(self, role: str) -> list[Snippet]:
        return [s for s in self.snippets if s.role == role]


_SLOT = re.compile(r"\{(\w+)\}")
STACK_KEYS = ("servers", "region", "stack", "protocol", "mechanism", "registry", "registry_name", "label", *PLACEHOLDERS)
EVENT_KEYS = ("topic", "vsubject", "ksubject", "latest")


def _value(key: str, value: str) -> str:
    ev = escape(value, quote=False)
    return f'<span class="v" data-v="{key}">{ev}</span>' if key in DYNAMIC else ev


class _Template:
    """A snippet's text, escaped, with the stack's values put in: the pieces between the event's slots
    (``{topic}``, ``{vsubject}``, ``{ksubject}``, ``{latest}``). Every ``{name}`` of the text is replaced once, by
    the value of that name: a value is never searched for names itself. Names without a value stay as they are."""

    __slots__ = ("pieces", "slots")

    def __init__(self, template: str, stack_values: dict[str, str]):
        parts = _SLOT.split(template)  # literal, name, literal, name, …, literal
        pieces = [escape(parts[0], quote=False)]
        slots: list[str] = []
        for i in range(1, len(parts), 2):
            name, literal = parts[i], escape(parts[i + 1], quote=False)
            if name in EVENT_KEYS:
                slots.append(name)
                pieces.append(literal)
            else:
                pieces[-1] += (_value(name, stack_values[name]) if name in stack_values else "{" + name + "}") + literal
        self.pieces, self.slots = pieces, slots

    def fill(self, event_values: dict[str, str]) -> str:
        out = [self.pieces[0]]
        for name, piece in zip(self.slots, self.pieces[1:], strict=True):
            out.append(_value(name, event_values[name]) if name in event_values else "{" + name + "}")
            out.append(piece)
        return "".join(out)


_TEMPLATES: weakref.WeakKeyDictionary[StackView, dict[tuple[str, str, bool], _Template | None]] = weakref.WeakKeyDictionary()


def _template(view: StackView, kind: str, role: str, keyed: bool) -> _Template | None:
    """The ``kind`` (java, python, cli) snippet of ``role`` on ``view``, made once per stack view."""
    made = _TEMPLATES.get(view)
    if made is None:
        made = _TEMPLATES[view] = {}
    key = (kind, role, keyed)
    if key not in made:
        text = _java(view, role, keyed) if kind == "java" else _python(view, role, keyed) if kind == "python" else _cli(view, role, keyed)
        made[key] = _Template(text, _stack_values(view)) if text is not None else None
    return made[key]


def _stack_values(view: StackView) -> dict[str, str]:
    reg = view.registry
    return {"servers": view.servers, "region": view.region, "stack": view.name, "protocol": view.protocol, "mechanism": view.sasl_mechanism,
            "registry": reg.url or "<SCHEMA_REGISTRY_URL>", "registry_name": reg.name or "<REGISTRY_NAME>", "label": view.label, **PLACEHOLDERS}


def _identity(view: StackView, a: AppSpec, role: str) -> Identity:
    return Identity(f"{a.ref} ({role})", a.ref, role, {
        "role": view.role_arn(a.ref) or PLACEHOLDERS["role"],
        "group": (a.group or PLACEHOLDERS["group"]) if role == "consumer" else PLACEHOLDERS["group"],
        "user": a.kafka_user,
        "app": a.ref,
        "idem": "true" if a.idempotent else "false",
        "idem_py": "True" if a.idempotent else "False",
    })


# -- authentication ----------------------------------------------------------------------------------------------
def _java_auth(view: StackView) -> str:
    if view.iam:
        return ("security.protocol=SASL_SSL\n"
                "sasl.mechanism=AWS_MSK_IAM\n"
                'sasl.jaas.config=software.amazon.msk.auth.iam.IAMLoginModule required awsRoleArn="{role}" awsStsRegion="{region}";\n'
                f"sasl.client.callback.handler.class={IAM_HANDLER}\n")
    module = "org.apache.kafka.common.security.plain.PlainLoginModule" if view.sasl_mechanism == "PLAIN" else "org.apache.kafka.common.security.scram.ScramLoginModule"
    return ("security.protocol={protocol}\n"
            "sasl.mechanism={mechanism}\n"
            f'sasl.jaas.config={module} required username="{{user}}" password="<PASSWORD>";\n')


def _py_auth(view: StackView) -> tuple[str, str, str]:
    """(pip packages, imports and helpers, config lines)."""
    if view.iam:
        return ("aws-msk-iam-sasl-signer-python",
                "from aws_msk_iam_sasl_signer import MSKAuthTokenProvider\n",
                '    "security.protocol": "SASL_SSL",\n    "sasl.mechanisms": "OAUTHBEARER",\n    "oauth_cb": oauth_cb,\n')
    return ("", "import os\n",
            '    "security.protocol": "{protocol}",\n    "sasl.mechanisms": "{mechanism}",\n    "sasl.username": "{user}",\n'
            '    "sasl.password": os.environ["KAFKA_PASSWORD"],  # .venv/bin/eventbus credentials {app} --stack {stack}\n')


PY_OAUTH = '''

REGION = "{region}"
ROLE_ARN = "{role}"


def oauth_cb(_config):
    """A SASL/OAUTHBEARER token for the application's role (librdkafka calls this before it expires)."""
    token, expiry_ms = MSKAuthTokenProvider.generate_auth_token_from_role_arn(REGION, ROLE_ARN)
    return token, expiry_ms / 1000
'''


def _py_literal(value) -> str:
    """A Python literal of an example payload: one key per line for a record (repr of each value, so any text is a
    valid Python string), pprint for anything else."""
    if isinstance(value, dict) and value:
        return "{\n" + "".join(f"    {k!r}: {v!r},\n" for k, v in value.items()) + "}"
    return pprint.pformat(value, sort_dicts=False, width=100)


def _key_example(info: EventView, example: dict):
    """A key that fits the key schema: a record key takes its fields from the example value where it has them."""
    def fit(t, name: str, known):
        if isinstance(t, list):  # a union: null if allowed, else its first branch
            return None if "null" in t else fit(t[0], name, known)
        if isinstance(t, dict) and t.get("type") == "record":
            return {f["name"]: known[f["name"]] if f["name"] in known else f["default"] if "default" in f else fit(f["type"], f["name"], {})
                    for f in t.get("fields", [])}
        if isinstance(t, dict) and t.get("type") == "enum":
            return t["symbols"][0]
        base = t.get("type") if isinstance(t, dict) else t
        return {"long": 0, "int": 0, "double": 0.0, "float": 0.0, "boolean": False, "null": None, "bytes": b""}.get(base, f"<{name}>")

    if info.event.key_schema is None:
        return None
    return fit(info.event.key_schema.schema, "key", example if isinstance(example, dict) else {})


# -- the snippets --------------------------------------------------------------------------------------------------
def block(view: StackView, topic: TopicSpec, info: EventView) -> ConnectBlock:
    e = info.event
    value_subject = view.subject(e.ref, "value")
    key_subject = view.subject(e.ref, "key")
    # a stack without a registry has no subjects: name the ones its registry would hold
    vs = value_subject.name if value_subject else naming.subject(topic.name, "value")
    ks = key_subject.name if key_subject else naming.subject(topic.name, "key")
    keyed = e.key_schema is not None
    latest = info.latest.number if info.latest else 1
    reg = view.registry
    notes: list[str] = []
    if reg.kind == "none":
        notes.append(f"Stack {view.name} declares no schema registry (eventbus:schemaRegistry kind none): the (de)serializers need one; "
                     f"put its URL in place of <SCHEMA_REGISTRY_URL>. The schemas are on this page.")
    elif reg.kind == "confluent" and not reg.url:
        notes.append(f"Stack {view.name} names no registry URL: put it in place of <SCHEMA_REGISTRY_URL>.")
    if not value_subject and reg.kind != "none":
        notes.append(f"No value subject on {view.name}: the registry holds no schema for this topic.")
    values = {"topic": topic.name, "vsubject": vs, "ksubject": ks, "latest": str(latest)}
    sid = f"{view.name}-{topic.name}"
    snippets = []
    for role in ("consumer", "producer"):
        java = _template(view, "java", role, keyed)
        assert java is not None
        snippets.append(Snippet(f"{sid}-{role}-java", role, "java", "Java client properties", f"{role}.properties", Markup(java.fill(values))))
        python = _template(view, "python", role, keyed)
        assert python is not None
        py = python.fill(values)
        if role == "producer":
            example = info.event.examples[0].payload if info.event.examples else {}
            py = (py.replace("\x00value\x00", escape(_py_literal(example), quote=False))
                  .replace("\x00key\x00", escape(_py_literal(_key_example(info, example)), quote=False)))
        snippets.append(Snippet(f"{sid}-{role}-python", role, "python", "Python (confluent-kafka)", f"{role}.py", Markup(py)))
        cli = _template(view, "cli", role, keyed)
        if cli is not None:
            snippets.append(Snippet(f"{sid}-{role}-cli", role, "cli", "Kafka CLI", f"{role}.sh", Markup(cli.fill(values))))
    who = [Identity("placeholders (a new application)", "", "", dict(PLACEHOLDERS))]
    who += [_identity(view, a, "consumer") for a in view.readers(topic.name)]
    who += [_identity(view, a, "producer") for a in view.writers(topic.name)]
    return ConnectBlock(view, topic, value_subject.name if value_subject else None, key_subject.name if key_subject else None, who, snippets, notes)


def _java(view: StackView, role: str, keyed: bool) -> str:
    reg = view.registry.kind
    head = f"# {role}.properties: {{topic}} on {{label}}\n"
    if reg == "glue":
        head += "# classpath: org.apache.kafka:kafka-clients, software.amazon.msk:aws-msk-iam-auth, software.amazon.glue:schema-registry-serde\n"
    elif view.iam:
        head += "# classpath: org.apache.kafka:kafka-clients, software.amazon.msk:aws-msk-iam-auth,\n#   io.confluent:kafka-avro-serializer (from Confluent's Maven repository)\n"
    else:
        head += "# classpath: org.apache.kafka:kafka-clients, io.confluent:kafka-avro-serializer (from Confluent's Maven repository)\n"
    body = "bootstrap.servers={servers}\n" + _java_auth(view)
    if role == "consumer":
        body += "group.id={group}\nauto.offset.reset=earliest\nenable.auto.commit=false\n"
        if reg == "glue":
            body += (f"key.deserializer={GLUE_DESER if keyed else 'org.apache.kafka.common.serialization.ByteArrayDeserializer'}\n"
                     f"value.deserializer={GLUE_DESER}\nregion={{region}}\nregistry.name={{registry_name}}\navroRecordType=GENERIC_RECORD\n")
        else:
            body += ("# keys: subject {ksubject}\n" if keyed else "# not keyed: keys are null\n")
            body += (f"key.deserializer={JAVA_AVRO_DESER if keyed else 'org.apache.kafka.common.serialization.ByteArrayDeserializer'}\n"
                     f"value.deserializer={JAVA_AVRO_DESER}\n"
                     "schema.registry.url={registry}\n"
                     "# values: subject {vsubject}; each record names its writer's schema id. GenericRecord by default;\n"
                     "# for classes generated from v{latest}.avsc add specific.avro.reader=true\n")
    else:
        body += "acks=all\n# true needs the producer's `idempotent: true` in event.yaml (the IdempotentWrite grant)\nenable.idempotence={idem}\n"
        if reg == "glue":
            body += (f"key.serializer={GLUE_SER if keyed else 'org.apache.kafka.common.serialization.ByteArraySerializer'}\n"
                     f"value.serializer={GLUE_SER}\nregion={{region}}\nregistry.name={{registry_name}}\ndataFormat=AVRO\n"
                     "schemaAutoRegistrationEnabled=false\nschemaName={vsubject}\n")
        else:
            body += (f"key.serializer={JAVA_AVRO_SER if keyed else 'org.apache.kafka.common.serialization.ByteArraySerializer'}\n"
                     f"value.serializer={JAVA_AVRO_SER}\n"
                     "schema.registry.url={registry}\n"
                     "# the deploy registers the schemas: never register from a client; write with the latest version (v{latest})\n"
                     "auto.register.schemas=false\nuse.latest.version=true\n")
    return head + body


def _python(view: StackView, role: str, keyed: bool) -> str:
    reg = view.registry.kind
    pkg, auth_imports, auth_conf = _py_auth(view)
    glue = reg == "glue"
    pip = ["confluent-kafka[avro,schemaregistry]" if not glue else "confluent-kafka", "aws-glue-schema-registry boto3" if glue else "", pkg]
    out = f"# {role}.py: {{topic}} on {{label}}\n# pip install {' '.join(p for p in pip if p)}\n"
    out += auth_imports
    kafka_cls = "Consumer" if role == "consumer" else "Producer"
    if glue:
        out += f"import boto3\nfrom aws_schema_registry import SchemaRegistryClient\nfrom aws_schema_registry.adapter.kafka import {'KafkaDeserializer' if role == 'consumer' else 'KafkaSerializer'}\n"
        out += f"from confluent_kafka import {kafka_cls}\n"
    else:
        out += f"from confluent_kafka import {kafka_cls}\nfrom confluent_kafka.schema_registry import SchemaRegistryClient\n"
        out += f"from confluent_kafka.schema_registry.avro import {'AvroDeserializer' if role == 'consumer' else 'AvroSerializer'}\n"
        out += "from confluent_kafka.serialization import MessageField, SerializationContext\n"
    if view.iam:
        out += PY_OAUTH
    out += '\nTOPIC = "{topic}"\n'
    if glue:
        out += 'registry = SchemaRegistryClient(boto3.client("glue", region_name="{region}"), registry_name="{registry_name}")\n'
    else:
        out += 'registry = SchemaRegistryClient({"url": "{registry}", "timeout": 10})  # seconds; without it a stalled request waits forever\n'
    if role == "consumer":
        if glue:
            out += "deserializer = KafkaDeserializer(registry)  # values: schema {vsubject}\n"
        else:
            out += ('serde_conf = {"subject.name.strategy.type": "TOPIC"}  # the bus names subjects <topic>-value / <topic>-key\n'
                    "value_deserializer = AvroDeserializer(registry, conf=serde_conf)  # subject {vsubject}: the writer's schema comes by the id in each record\n")
            if keyed:
                out += "key_deserializer = AvroDeserializer(registry, conf=serde_conf)  # subject {ksubject}\n"
        out += ("\nconsumer = Consumer({\n    \"bootstrap.servers\": \"{servers}\",\n" + auth_conf +
                '    "group.id": "{group}",\n    "auto.offset.reset": "earliest",\n    "enable.auto.commit": False,\n})\n'
                "consumer.subscribe([TOPIC])\ntry:\n    while True:\n        msg = consumer.poll(1.0)\n        if msg is None:\n            continue\n"
                "        if msg.error():\n            raise RuntimeError(msg.error())\n")
        if glue:
            out += "        value, schema = deserializer.deserialize(TOPIC, msg.value())\n        print(msg.key(), value)\n"
        else:
            key = ("key_deserializer(msg.key(), SerializationContext(TOPIC, MessageField.KEY))" if keyed else "msg.key()  # not keyed")
            out += (f"        key = {key}\n"
                    "        value = value_deserializer(msg.value(), SerializationContext(TOPIC, MessageField.VALUE))\n"
                    "        print(key, value)  # a dict of the fields of the writer's version\n")
        out += "        consumer.commit(msg)\nfinally:\n    consumer.close()\n"
        return out
    # producer
    if glue:
        out += ("serializer = KafkaSerializer(registry)\n"
                "SCHEMA = open(\"v{latest}.avsc\").read()  # the latest version, from this catalog\n")
    else:
        out += ('serializer_conf = {"auto.register.schemas": False, "use.latest.version": True,  # the deploy registers schemas\n'
                '                   "subject.name.strategy.type": "TOPIC"}  # subjects <topic>-value / <topic>-key\n'
                "value_serializer = AvroSerializer(registry, None, conf=serializer_conf)  # subject {vsubject}, latest version (v{latest})\n")
        if keyed:
            out += "key_serializer = AvroSerializer(registry, None, conf=serializer_conf)  # subject {ksubject}\n"
    out += ("\nproducer = Producer({\n    \"bootstrap.servers\": \"{servers}\",\n" + auth_conf +
            '    "acks": "all",\n    "enable.idempotence": {idem_py},  # True needs the producer\'s `idempotent: true` in event.yaml\n})\n')
    out += "value = \x00value\x00\n"
    if glue:
        out += ("from aws_schema_registry import DataAndSchema\nfrom aws_schema_registry.avro import AvroSchema\n"
                "producer.produce(TOPIC, value=serializer.serialize(TOPIC, DataAndSchema(value, AvroSchema(SCHEMA))))\n")
    else:
        if keyed:
            out += "key = \x00key\x00\n"
            out += "producer.produce(TOPIC, key=key_serializer(key, SerializationContext(TOPIC, MessageField.KEY)),\n"
            out += "                 value=value_serializer(value, SerializationContext(TOPIC, MessageField.VALUE)))\n"
        else:
            out += "producer.produce(TOPIC, value=value_serializer(value, SerializationContext(TOPIC, MessageField.VALUE)))\n"
    out += "producer.flush()\n"
    return out


def _cli(view: StackView, role: str, keyed: bool) -> str | None:
    if view.registry.kind == "glue":
        return None  # no CLI decodes the Glue wire format
    auth = _java_auth(view)
    jar = ("# needs Confluent's kafka-avro-console-* tools, with aws-msk-iam-auth-<version>-all.jar on CLASSPATH\n" if view.iam else
           "# needs Confluent's kafka-avro-console-* tools; KAFKA_PASSWORD from .venv/bin/eventbus credentials {app} --stack {stack}\n")
    out = f"# {role}.sh: {{topic}} on {{label}}\n" + jar
    lines = "".join(f"  '{line}' \\\n" for line in auth.rstrip("\n").split("\n"))
    # the password leaves the single quotes, so the shell puts in its value (the Java client would send the text $KAFKA_PASSWORD)
    out += "printf '%s\\n' \\\n" + lines.replace('password="<PASSWORD>"', 'password="\'"$KAFKA_PASSWORD"\'"') + "  > client.properties\n"
    if role == "consumer":
        out += ("kafka-avro-console-consumer --bootstrap-server '{servers}' --topic '{topic}' \\\n"
                "  --group '{group}' --from-beginning --consumer.config client.properties \\\n"
                "  --property 'schema.registry.url={registry}'" + (" --property print.key=true" if keyed else "") + "\n")
    else:
        out += ("# one JSON value per line; the schema must be the registered v{latest} (download v{latest}.avsc"
                + (" and key.avsc" if keyed else "") + " from this catalog)\n"
                "kafka-avro-console-producer --bootstrap-server '{servers}' --topic '{topic}' \\\n"
                "  --producer.config client.properties --property 'schema.registry.url={registry}' \\\n"
                "  --property auto.register.schemas=false --property value.schema.file=v{latest}.avsc")
        if keyed:
            out += (" \\\n  --property parse.key=true --property key.separator='|' --property key.schema.file=key.avsc")
        out += "\n"
    return out
