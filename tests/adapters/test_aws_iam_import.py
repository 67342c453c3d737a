"""eventbus import on IAM stacks: every role whose policies (inline or attached) name the cluster,
read through the AWS API (moto as a real HTTP server); other roles are left out; nothing changes."""
from __future__ import annotations

import json

from eventbus.adapters import aws_iam
from tests.adapters.test_aws_iam_drift import endpoint, iam  # noqa: F401 - fixtures

CLUSTER = "arn:aws-us-gov:kafka:us-gov-west-1:123456789012:cluster/eeb-prod/def-2"
TOPIC = "arn:aws-us-gov:kafka:us-gov-west-1:123456789012:topic/eeb-prod/def-2/decision_letter_availability"
TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws-us-gov:iam::999988887777:role/app"}, "Action": "sts:AssumeRole"}]}


def policy(*statements) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": a, "Resource": r} for a, r in statements]})


def test_roles_that_name_the_cluster(iam):  # noqa: F811 - the fixture
    for name in ("InlineReader", "AttachedWriter", "Unrelated"):
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST))
    iam.put_role_policy(RoleName="InlineReader", PolicyName="hand-made", PolicyDocument=policy((["kafka-cluster:Connect"], CLUSTER), ("kafka-cluster:ReadData", [TOPIC])))
    arn = iam.create_policy(PolicyName="letters-writer", PolicyDocument=policy(("kafka-cluster:WriteData", TOPIC)))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName="AttachedWriter", PolicyArn=arn)
    iam.put_role_policy(RoleName="Unrelated", PolicyName="s3", PolicyDocument=policy(("s3:GetObject", "arn:aws-us-gov:s3:::bucket/*")))
    before = sorted(r["RoleName"] for r in iam.list_roles()["Roles"])
    seen = []
    live = aws_iam.read_cluster_roles(iam, CLUSTER, lambda *a: seen.append(a))
    assert sorted(live.roles) == ["AttachedWriter", "InlineReader"] and seen
    reader, writer = live.roles["InlineReader"], live.roles["AttachedWriter"]
    assert aws_iam.trust_principals(reader.trust) == {"arn:aws-us-gov:iam::999988887777:role/app"}
    assert ("kafka-cluster:ReadData", TOPIC) in aws_iam.grants(reader.policies["hand-made"])
    assert writer.attached == (arn,) and ("kafka-cluster:WriteData", TOPIC) in aws_iam.grants(writer.attached_docs[arn])
    assert sorted(r["RoleName"] for r in iam.list_roles()["Roles"]) == before  # read-only


def test_the_importers_view_joins_inline_and_attached_grants(iam, endpoint, monkeypatch):  # noqa: F811 - the fixtures
    from eventbus.importer.snapshot import read_roles

    iam.create_role(RoleName="Both", AssumeRolePolicyDocument=json.dumps(TRUST))
    iam.put_role_policy(RoleName="Both", PolicyName="read", PolicyDocument=policy(("kafka-cluster:ReadData", TOPIC)))
    arn = iam.create_policy(PolicyName="write", PolicyDocument=policy(("kafka-cluster:WriteData", TOPIC)))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName="Both", PolicyArn=arn)
    for k, v in {"AWS_ENDPOINT_URL_IAM": endpoint, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(k, v)
    got = read_roles("us-gov-west-1", CLUSTER)["Both"]
    assert got.trust == ("arn:aws-us-gov:iam::999988887777:role/app",)
    assert {("kafka-cluster:ReadData", TOPIC), ("kafka-cluster:WriteData", TOPIC)} <= got.grants
