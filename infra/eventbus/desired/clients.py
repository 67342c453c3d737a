"""What an application's Kafka client needs on a stack, derived from the desired state: the
connection settings, its identity (SCRAM user or IAM role), its group, and how it serializes."""
from __future__ import annotations

import hashlib
import hmac

from eventbus.desired.specs import AppSpec
from eventbus.desired.state import DesiredState

SCRAM_MECHANISM = "SCRAM-SHA-512"  # the mechanism the stacks that manage SCRAM users create


def scram_password(seed: str, username: str) -> str:
    """An application's SCRAM password, derived from the stack's secret seed (no stored state)."""
    return hmac.new(seed.encode(), f"scram:{username}".encode(), hashlib.sha256).hexdigest()


def client_properties(state: DesiredState, app: AppSpec, password: str | None = None) -> list[tuple[str, str]]:
    """Kafka client properties (Java names) for ``app`` on the stack of ``state``."""
    c = state.connection
    props = [("bootstrap.servers", ",".join(c.bootstrap_servers)), ("security.protocol", c.security_protocol)]
    if c.iam:
        arn = state.role_arn(app.ref) or "<ROLE_ARN>"
        props += [
            ("sasl.mechanism", "AWS_MSK_IAM"),
            ("sasl.jaas.config", f'software.amazon.msk.auth.iam.IAMLoginModule required awsRoleArn="{arn}" awsStsRegion="{c.region}";'),
            ("sasl.client.callback.handler.class", "software.amazon.msk.auth.iam.IAMClientCallbackHandler"),
        ]
    else:
        props += [("sasl.mechanism", SCRAM_MECHANISM if state.scram_users else c.sasl_mechanism),
                  ("sasl.username", app.kafka_user), ("sasl.password", password or "<PASSWORD>")]
    if app.group and app.consumes:
        props.append(("group.id", app.group))
    if app.produces:
        props.append(("enable.idempotence", "true" if app.idempotent else "false"))
    if state.registry.kind == "confluent" and state.registry.url:
        props += [("schema.registry.url", state.registry.url), ("auto.register.schemas", "false"), ("use.latest.version", "true")]
    return props
