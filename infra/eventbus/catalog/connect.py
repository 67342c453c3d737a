"""Ready-to-paste client settings for one topic on one stack.

MSK stacks use IAM: Python ``confluent-kafka`` with ``aws-msk-iam-sasl-signer``
(SASL/OAUTHBEARER, the token signed for the application's generated role) and
Java properties with ``software.amazon.msk.auth.iam.IAMLoginModule``
(``awsRoleArn`` + ``awsStsRegion``). Local stacks use SASL/SCRAM with the
per-application user (``eventbus credentials`` prints the password).

The values that depend on the application (role ARN, consumer group, user)
are wrapped in ``<span data-v="…">`` so the page's selector can refill them;
the text of the block is the snippet either way.
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from eventbus.catalog.data import StackView
from eventbus.desired import AppSpec, TopicSpec
from eventbus.model.naming import role_name


@dataclass
class Snippet:
    id: str
    label: str  # "Python (confluent-kafka)"
    lang: str  # python | properties
    code: Markup


@dataclass
class Identity:
    """Who the snippet is filled in for: an application with access, or a placeholder for a new one."""

    label: str
    role: str  # role ARN (IAM) or Kafka user (SCRAM)
    group: str
    user: str
    app_ref: str  # "" for the placeholder
    idempotent: bool = False


def _fill(template: str, values: dict[str, str], dynamic: set[str]) -> Markup:
    """Escape ``template`` and substitute ``{name}`` placeholders (dynamic ones wrapped in spans)."""
    out = escape(template, quote=False)
    for k, v in values.items():
        ev = escape(v, quote=False)
        rep = f'<span class="v" data-v="{k}">{ev}</span>' if k in dynamic else ev
        out = out.replace("{" + k + "}", rep)
    return Markup(out)


PY_IAM = '''# pip install confluent-kafka aws-msk-iam-sasl-signer-python
from aws_msk_iam_sasl_signer import MSKAuthTokenProvider
from confluent_kafka import Consumer, Producer

REGION = "{region}"
ROLE_ARN = "{role}"
TOPIC = "{topic}"  # Avro values: {value_subject}


def oauth_cb(_config):
    token, expiry_ms = MSKAuthTokenProvider.generate_auth_token_from_role_arn(REGION, ROLE_ARN)
    return token, expiry_ms / 1000


conf = {
    "bootstrap.servers": "{servers}",
    "security.protocol": "SASL_SSL",
    "sasl.mechanisms": "OAUTHBEARER",
    "oauth_cb": oauth_cb,
}
# consumer
consumer = Consumer({**conf, "group.id": "{group}", "auto.offset.reset": "earliest", "enable.auto.commit": False})
consumer.subscribe([TOPIC])
# producer (idempotence needs the producer's `idempotent: true` grant)
producer = Producer({**conf, "enable.idempotence": {idem_py}, "acks": "all"})
'''

JAVA_IAM = '''# client.properties (add software.amazon.msk:aws-msk-iam-auth to the classpath)
bootstrap.servers={servers}
security.protocol=SASL_SSL
sasl.mechanism=AWS_MSK_IAM
sasl.jaas.config=software.amazon.msk.auth.iam.IAMLoginModule required awsRoleArn="{role}" awsStsRegion="{region}";
sasl.client.callback.handler.class=software.amazon.msk.auth.iam.IAMClientCallbackHandler
# consumer of {topic}
group.id={group}
auto.offset.reset=earliest
enable.auto.commit=false
# producer to {topic}: instead of the three consumer lines
# enable.idempotence={idem_java}
# acks=all
'''

PY_SCRAM = '''# pip install confluent-kafka
from confluent_kafka import Consumer, Producer

TOPIC = "{topic}"
conf = {
    "bootstrap.servers": "{servers}",
    "security.protocol": "{protocol}",
    "sasl.mechanisms": "SCRAM-SHA-512",
    "sasl.username": "{user}",
    "sasl.password": "...",  # .venv/bin/eventbus credentials {app} --stack {stack}
}
# consumer
consumer = Consumer({**conf, "group.id": "{group}", "auto.offset.reset": "earliest"})
consumer.subscribe([TOPIC])
# producer
producer = Producer({**conf, "enable.idempotence": {idem_py}})
'''

JAVA_SCRAM = '''# client.properties: the password comes from `.venv/bin/eventbus credentials {app} --stack {stack}`
bootstrap.servers={servers}
security.protocol={protocol}
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="{user}" password="<password>";
# consumer of {topic}
group.id={group}
auto.offset.reset=earliest
# producer to {topic}: instead of the two consumer lines
# enable.idempotence={idem_java}
'''


def _identity(view: StackView, app: AppSpec, kind: str) -> Identity:
    role = (view.role_arn(app) or "") if view.iam else app.kafka_user
    return Identity(f"{app.ref} ({kind})", role, app.group or "", app.kafka_user, app.ref, app.idempotent)


def placeholder(view: StackView) -> Identity:
    """A new application's values, as they will be once its subscription merges."""
    prefix = view.config.role_prefix
    role = view.role_arn_for(role_name(prefix, "TEAM", "APPLICATION")) if view.iam else "TEAM.APPLICATION"
    return Identity("a new application (placeholders)", role, "TEAM.APPLICATION", "TEAM.APPLICATION", "")


@dataclass
class ConnectBlock:
    """Everything the 'Connect' panel of one stack shows for one topic."""

    view: StackView
    topic: TopicSpec
    identities: list[Identity]  # consumers, producers, then the placeholder for a new application
    snippets: list[Snippet]

    @property
    def id(self) -> str:
        return f"cx-{self.view.name}-{self.topic.name}"


def block(view: StackView, topic: TopicSpec, event_ref: str) -> ConnectBlock:
    who = [_identity(view, a, "consumer") for a in view.readers.get(topic.name, ())]
    who += [_identity(view, a, "producer") for a in view.writers.get(topic.name, ())]
    who.append(placeholder(view))
    first = who[0]
    subjects = {s.kind: s.name for s in view.subjects.get(event_ref, ())}
    values = {
        "servers": ",".join(view.config.cluster.bootstrap_servers),
        "topic": topic.name,
        "region": view.region,
        "stack": view.name,
        "value_subject": f"subject {subjects['value']}" if "value" in subjects else "schemas in this catalog",
        "protocol": "SASL_SSL" if view.config.cluster.tls else "SASL_PLAINTEXT",
        "role": first.role,
        "group": first.group or "TEAM.APPLICATION",
        "user": first.user,
        "app": first.app_ref or "TEAM/APPLICATION",
        "idem_py": "True" if first.idempotent else "False",
        "idem_java": "true" if first.idempotent else "false",
    }
    dynamic = {"role", "group", "user", "app", "idem_py", "idem_java"}
    sid = f"{view.name}-{topic.name}"
    if view.iam:
        snippets = [Snippet(f"{sid}-py", "Python: confluent-kafka + aws-msk-iam-sasl-signer (OAUTHBEARER)", "python", _fill(PY_IAM, values, dynamic)),
                    Snippet(f"{sid}-java", "Java: client properties (IAMLoginModule)", "properties", _fill(JAVA_IAM, values, dynamic))]
    else:
        snippets = [Snippet(f"{sid}-py", "Python: confluent-kafka (SASL/SCRAM)", "python", _fill(PY_SCRAM, values, dynamic)),
                    Snippet(f"{sid}-java", "Java: client properties (SCRAM)", "properties", _fill(JAVA_SCRAM, values, dynamic))]
    return ConnectBlock(view, topic, who, snippets)
