"""How a stack's clients connect: the one mapping from the stack's authentication to the names
Kafka clients and the Pulumi kafka provider use."""
from __future__ import annotations

from eventbus.desired.specs import Connection
from eventbus.model.stack import StackConfig

# the stack's saslMechanism (the Pulumi provider's spelling) -> the Kafka client's sasl.mechanism
CLIENT_MECHANISM = {"aws-iam": "AWS_MSK_IAM", "scram-sha512": "SCRAM-SHA-512", "scram-sha256": "SCRAM-SHA-256", "plain": "PLAIN"}


def connection(stack: StackConfig) -> Connection:
    c = stack.cluster
    return Connection(
        bootstrap_servers=c.bootstrap_servers,
        security_protocol="SASL_SSL" if c.tls else "SASL_PLAINTEXT",
        sasl_mechanism=CLIENT_MECHANISM[c.sasl_mechanism],
        provider_mechanism=c.sasl_mechanism,
        tls=c.tls,
        region=stack.region,
    )
