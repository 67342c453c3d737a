"""What an application's client needs on a stack (eventbus credentials, the catalog's snippets)."""
from __future__ import annotations

from eventbus.desired import compute
from eventbus.desired.clients import client_properties, scram_password
from eventbus.load.registry import load_registry
from eventbus.load.stacks import load_stack
from tests.conftest import REPO


def _state(stack):
    return compute(load_registry(str(REPO)).registry, load_stack(str(REPO), stack))


def test_an_iam_producer_on_prod_gets_its_role_and_the_registry_settings():
    state = _state("prod")
    app = next(a for a in state.apps if a.produces and not a.consumes)
    props = dict(client_properties(state, app))
    assert props["security.protocol"] == "SASL_SSL" and props["sasl.mechanism"] == "AWS_MSK_IAM"
    assert f'awsRoleArn="{state.role_arn(app.ref)}"' in props["sasl.jaas.config"] and 'awsStsRegion="us-gov-west-1"' in props["sasl.jaas.config"]
    assert props["sasl.client.callback.handler.class"] == "software.amazon.msk.auth.iam.IAMClientCallbackHandler"
    assert props["auto.register.schemas"] == "false" and props["use.latest.version"] == "true"
    assert props["schema.registry.url"] == state.registry.url and state.registry.url.startswith("https://")
    assert "group.id" not in props and "sasl.password" not in props


def test_a_local_consumer_gets_its_scram_user_group_and_password():
    state = _state("local")
    app = state.apps_by_ref["va-notify/refill-notifier"]
    props = dict(client_properties(state, app, scram_password("seed", app.kafka_user)))
    assert props["sasl.mechanism"] == "SCRAM-SHA-512" and props["sasl.username"] == "va-notify.refill-notifier"
    assert props["sasl.password"] == scram_password("seed", "va-notify.refill-notifier") != scram_password("other", "va-notify.refill-notifier")
    assert props["group.id"] == app.group and props["security.protocol"] == "SASL_PLAINTEXT"
