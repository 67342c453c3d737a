"""Drift on IAM stacks: each role's trust and policy against the desired state, through the AWS
API (moto running as a real HTTP server)."""
from __future__ import annotations

import json
import os
import socket
import subprocess

import boto3
import pytest

from eventbus.adapters import aws_iam
from eventbus.desired import compute
from eventbus.load.registry import load_registry
from eventbus.load.stacks import load_stack
from tests.conftest import EVENTBUS, REPO

moto_server = pytest.importorskip("moto.server")


@pytest.fixture(scope="module")
def endpoint():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def iam(endpoint):
    c = boto3.client("iam", region_name="us-gov-west-1", endpoint_url=endpoint, aws_access_key_id="testing", aws_secret_access_key="testing")
    for page in c.get_paginator("list_roles").paginate():  # a clean account per test
        for r in page["Roles"]:
            for p in c.list_role_policies(RoleName=r["RoleName"])["PolicyNames"]:
                c.delete_role_policy(RoleName=r["RoleName"], PolicyName=p)
            for a in c.list_attached_role_policies(RoleName=r["RoleName"])["AttachedPolicies"]:
                c.detach_role_policy(RoleName=r["RoleName"], PolicyArn=a["PolicyArn"])
            c.delete_role(RoleName=r["RoleName"])
    return c


@pytest.fixture(scope="module")
def prod():
    stack = load_stack(str(REPO), "prod")
    return stack, compute(load_registry(str(REPO)).registry, stack)


def deploy(iam, state):
    """What the program does for each role: the trust policy, one inline policy, the tags."""
    for r in state.roles:
        iam.create_role(RoleName=r.name, AssumeRolePolicyDocument=json.dumps(r.trust_policy()),
                        Tags=[{"Key": "managed-by", "Value": "eventbus-registry"}, {"Key": "eventbus:application", "Value": r.app}])
        iam.put_role_policy(RoleName=r.name, PolicyName="eventbus-access", PolicyDocument=json.dumps(r.policy()))


def test_a_deployed_stack_has_no_drift(iam, prod):
    stack, state = prod
    deploy(iam, state)
    assert state.roles
    assert aws_iam.compare(state, aws_iam.read_roles(iam, stack.role_prefix)) == []


def test_changes_behind_the_registrys_back_are_reported(iam, prod):
    stack, state = prod
    deploy(iam, state)
    roles = sorted(state.roles)
    hijacked, widened, deleted, attached = roles[0], roles[1], roles[2], roles[3]
    trust = hijacked.trust_policy()
    trust["Statement"][0]["Principal"]["AWS"] = [*trust["Statement"][0]["Principal"]["AWS"], "arn:aws-us-gov:iam::999988887777:role/attacker"]
    iam.update_assume_role_policy(RoleName=hijacked.name, PolicyDocument=json.dumps(trust))
    policy = widened.policy()
    policy["Statement"].append({"Sid": "Extra", "Effect": "Allow", "Action": ["kafka-cluster:ReadData"], "Resource": ["arn:aws-us-gov:kafka:us-gov-west-1:210987654321:topic/x/y/*"]})
    iam.put_role_policy(RoleName=widened.name, PolicyName="eventbus-access", PolicyDocument=json.dumps(policy))
    iam.delete_role_policy(RoleName=deleted.name, PolicyName="eventbus-access")
    iam.delete_role(RoleName=deleted.name)
    arn = iam.create_policy(PolicyName="broad", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kafka-cluster:*", "Resource": "*"}]}))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName=attached.name, PolicyArn=arn)
    iam.create_role(RoleName=f"{stack.role_prefix}.gone.old-app", AssumeRolePolicyDocument=json.dumps(trust), Tags=[{"Key": "managed-by", "Value": "eventbus-registry"}])
    iam.create_role(RoleName=f"{stack.role_prefix}.someone.elses", AssumeRolePolicyDocument=json.dumps(trust))  # not the deploy's: not reported

    lines = aws_iam.compare(state, aws_iam.read_roles(iam, stack.role_prefix))
    assert f"role {hijacked.name}: arn:aws-us-gov:iam::999988887777:role/attacker may assume it, but the registry lists no such principal" in lines
    assert f"role {widened.name}: grants kafka-cluster:ReadData on arn:aws-us-gov:kafka:us-gov-west-1:210987654321:topic/x/y/*, which the registry does not" in lines
    assert f"role {deleted.name} ({deleted.app}): missing in IAM" in lines
    assert f"role {attached.name}: managed policy {arn} is attached outside the registry" in lines
    assert f"role {stack.role_prefix}.gone.old-app: managed by the registry's deploy but not in the registry" in lines
    assert not any("someone.elses" in line for line in lines)
    assert len(lines) == 5, lines


def test_every_shape_iam_accepts_is_read_and_compared(iam, prod):
    # ListRoles returns no permissions boundary; Statement and Principal may be single values;
    # action names are case-insensitive; NotAction, Deny, a Condition and non-AWS principals change access
    stack, state = prod
    deploy(iam, state)
    roles = sorted(state.roles)
    bounded, single, star, service, cased, negated, denied, conditional = roles[:8]
    iam.put_role_permissions_boundary(RoleName=bounded.name, PermissionsBoundary="arn:aws-us-gov:iam::aws:policy/AdministratorAccess")
    policy = single.policy()
    policy["Statement"] = {"Effect": "Allow", "Action": "kafka-cluster:*", "Resource": "*"}
    iam.put_role_policy(RoleName=single.name, PolicyName="eventbus-access", PolicyDocument=json.dumps(policy))
    trust = star.trust_policy()
    trust["Statement"] = {**trust["Statement"][0], "Principal": "*"}
    iam.update_assume_role_policy(RoleName=star.name, PolicyDocument=json.dumps(trust))
    trust = service.trust_policy()
    trust["Statement"].append({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"})
    iam.update_assume_role_policy(RoleName=service.name, PolicyDocument=json.dumps(trust))
    policy = cased.policy()
    for st in policy["Statement"]:
        st["Action"] = [a.lower() for a in reversed(st["Action"])]
    iam.put_role_policy(RoleName=cased.name, PolicyName="eventbus-access", PolicyDocument=json.dumps(policy))
    policy = negated.policy()
    policy["Statement"].append({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
    iam.put_role_policy(RoleName=negated.name, PolicyName="eventbus-access", PolicyDocument=json.dumps(policy))
    policy = denied.policy()
    policy["Statement"].append({"Effect": "Deny", "Action": "*", "Resource": "*"})
    iam.put_role_policy(RoleName=denied.name, PolicyName="eventbus-access", PolicyDocument=json.dumps(policy))
    policy = conditional.policy()
    policy["Statement"][0]["Condition"] = {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}
    iam.put_role_policy(RoleName=conditional.name, PolicyName="eventbus-access", PolicyDocument=json.dumps(policy))

    lines = aws_iam.compare(state, aws_iam.read_roles(iam, stack.role_prefix))
    assert f"role {bounded.name}: permissions boundary arn:aws-us-gov:iam::aws:policy/AdministratorAccess, the registry says none" in lines
    assert f"role {single.name}: grants kafka-cluster:* on *, which the registry does not" in lines
    assert f"role {star.name}: * may assume it, but the registry lists no such principal" in lines
    assert f"role {service.name}: Service:ec2.amazonaws.com may assume it, but the registry lists no such principal" in lines
    assert not any(cased.name + ":" in line for line in lines)
    assert f"role {negated.name}: grants every action but iam:* on *, which the registry does not" in lines
    assert f"role {denied.name}: inline policy eventbus-access denies Action * Resource *, which the registry does not" in lines
    connect = conditional.policy()["Statement"][0]
    assert (f"role {conditional.name}: grants {connect['Action'][0]} on {connect['Resource'][0]} only under a Condition, "
            "which the registry does not set") in lines


def test_a_boundary_the_stack_sets_is_no_drift(iam, prod):
    import dataclasses

    stack, state = prod
    boundary = "arn:aws-us-gov:iam::210987654321:policy/eventbus-boundary"
    state = dataclasses.replace(state, roles=tuple(dataclasses.replace(r, permissions_boundary=boundary) for r in state.roles))
    for r in state.roles:
        iam.create_role(RoleName=r.name, AssumeRolePolicyDocument=json.dumps(r.trust_policy()), PermissionsBoundary=boundary,
                        Tags=[{"Key": "managed-by", "Value": "eventbus-registry"}])
        iam.put_role_policy(RoleName=r.name, PolicyName="eventbus-access", PolicyDocument=json.dumps(r.policy()))
    assert aws_iam.compare(state, aws_iam.read_roles(iam, stack.role_prefix)) == []


def test_the_drift_command_on_an_iam_stack(iam, prod, endpoint):
    stack, state = prod
    deploy(iam, state)
    env = {**os.environ, "AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "NO_COLOR": "1"}
    clean = subprocess.run([EVENTBUS, "--root", str(REPO), "drift", "--stack", "prod", "--only", "iam"], capture_output=True, text=True, env=env)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert f"no drift: {len(state.roles)} IAM roles match stack prod" in clean.stdout
    iam.delete_role_policy(RoleName=state.roles[0].name, PolicyName="eventbus-access")
    drifted = subprocess.run([EVENTBUS, "--root", str(REPO), "drift", "--stack", "prod", "--only", "iam"], capture_output=True, text=True, env=env)
    assert drifted.returncode == 1 and f"role {state.roles[0].name}: lacks kafka-cluster:Connect" in drifted.stdout


def test_kafka_side_of_an_iam_stack_signs_with_the_callers_credentials(prod, monkeypatch):
    # MSK IAM: SASL/OAUTHBEARER with a token signed locally by the caller's AWS credentials
    from eventbus.adapters.kafka_admin import client_config

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    _stack, state = prod
    conf = client_config(state.connection)
    assert conf["security.protocol"] == "SASL_SSL" and conf["sasl.mechanisms"] == "OAUTHBEARER"
    assert conf["bootstrap.servers"].startswith("b-1.eeb-prod")
    token, expires = conf["oauth_cb"](None)
    assert isinstance(token, str) and len(token) > 100 and expires > 0
