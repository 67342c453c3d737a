"""Stack settings: the typed reading of ``Pulumi.<stack>.yaml``.

Errors here stop everything before anything is deployed, with the file and
line of the offending key.
"""
from __future__ import annotations

import os
import re

from eventbus.load.files import ReadError, decode
from eventbus.load.fs import DiskFS
from eventbus.load.schemas import validate_document
from eventbus.load.yaml import parse_yaml
from eventbus.model import Loc, Positions
from eventbus.model.stack import Cluster, StackConfig

CLUSTER_ARN = re.compile(r"^arn:(?P<partition>aws(?:-us-gov)?):kafka:(?P<region>[a-z0-9-]+):(?P<account>[0-9]{12}):cluster/(?P<name>[A-Za-z0-9-]+)/(?P<uuid>[A-Za-z0-9-]+)$")


class StackError(Exception):
    def __init__(self, loc: Loc, message: str, hint: str, rule: str = "stack-settings"):
        super().__init__(f"{loc}: {message} (fix: {hint})")
        self.loc, self.message, self.hint, self.rule = loc, message, hint, rule


def _coerce_pulumi_strings(data) -> None:
    """Pulumi writes top-level config values back as strings ("3", "true"); read them as the
    integers and booleans the schema declares. Anything else is left for the schema to judge."""
    import json

    from eventbus.load.schemas import schema_text

    if not isinstance(data, dict) or not isinstance(data.get("config"), dict):
        return
    props = json.loads(schema_text("stack"))["properties"]["config"]["properties"]
    cfg = data["config"]
    for key, value in cfg.items():
        kind = props.get(key, {}).get("type")
        if isinstance(value, str):
            if kind == "integer" and re.fullmatch(r"-?[0-9]{1,9}", value):
                cfg[key] = int(value)
            elif kind == "boolean" and value in ("true", "false"):
                cfg[key] = value == "true"


def stack_files(root: str, fs=None) -> list[str]:
    fs = fs or DiskFS(root)
    return [f for f in fs.listdir(fs.root) if re.fullmatch(r"Pulumi\.[A-Za-z0-9_.-]+\.yaml", f)]  # fullmatch: match() with $ took "Pulumi.x.yaml\n" (the gate does not)


def load_stack(root: str, name: str, fs=None) -> StackConfig:
    fs = fs or DiskFS(root)
    fname = f"Pulumi.{name}.yaml"
    path = os.path.join(fs.root, fname)
    link = fs.symlink(path)
    if link is not None:
        where = "that leaves the repository" if link[1] else f"(to {link[0]})"
        raise StackError(Loc(fname), f"stack file is a symbolic link {where}", "replace it with the real file", "file-symlink")
    if not fs.isfile(path):
        known = ", ".join(f[len("Pulumi.") : -len(".yaml")] for f in stack_files(root, fs)) or "none"
        raise StackError(Loc(fname), f"no stack file {fname}", f"use one of the stacks: {known}")
    try:
        data, table = parse_yaml(decode(fs.read(path)))
    except ReadError as err:
        raise StackError(Loc(fname, err.line, err.col), err.message, err.hint, err.rule) from None
    pos = Positions(fname, table)
    _coerce_pulumi_strings(data)
    problems = validate_document("stack", data, pos)
    if problems:
        f = problems[0]
        raise StackError(f.loc, f.message, f.hint, f.rule)
    cfg = data["config"]

    def get(key, default=None):
        return cfg.get(f"eventbus:{key}", default)

    target = get("target", "aws")
    cl = get("cluster") or {}
    arn = cl.get("arn")
    m = CLUSTER_ARN.match(arn) if arn else None
    if target == "aws" and not arn:
        raise StackError(pos.loc("config", "eventbus:cluster"), "stack targets AWS but has no cluster ARN", "add eventbus:cluster.arn: arn:aws-us-gov:kafka:<region>:<account>:cluster/<name>/<uuid>")
    if not cl.get("bootstrapServers"):
        raise StackError(pos.loc("config"), "stack has no eventbus:cluster.bootstrapServers", "list the brokers, e.g. [b-1.example:9098]")
    region = cfg.get("aws:region") or (m.group("region") if m else None)
    if m and region and m.group("region") != region:
        raise StackError(pos.loc("config", "aws:region"), f"aws:region {region} differs from the cluster ARN's region {m.group('region')}", "make them agree")
    reg = get("schemaRegistry") or {"kind": "none"}
    if target == "local" and reg.get("kind") == "glue":
        raise StackError(pos.loc("config", "eventbus:schemaRegistry"), "the local target cannot use AWS Glue", "use kind: confluent (the local registry) or none")
    if reg.get("kind") == "confluent" and not reg.get("url"):
        raise StackError(pos.loc("config", "eventbus:schemaRegistry"), "a confluent schema registry needs its url", "add schemaRegistry.url: https://<registry>")
    mechanism = cl.get("saslMechanism", "aws-iam" if target == "aws" else "scram-sha512")
    authorization = tuple(get("authorization") or (("iam",) if mechanism == "aws-iam" else ("acl",)))
    if "iam" in authorization and target != "aws":
        raise StackError(pos.loc("config", "eventbus:authorization"), "IAM authorization needs an AWS target", "use authorization: [acl] on a local broker")
    cat = get("catalog") or {}
    return StackConfig(
        name=name,
        file=fname,
        environment=get("environment"),
        target=target,
        allowed_classifications=tuple(get("allowedClassifications") or ("none", "PII", "PHI")),
        topic_suffix=get("topicSuffix", "") or "",
        replication_factor=int(get("replicationFactor", 3)),
        min_insync_cap=get("minInsyncReplicasCap"),
        protect=bool(get("protect", False)),
        cluster=Cluster(
            bootstrap_servers=tuple(cl["bootstrapServers"]),
            arn=arn,
            sasl_mechanism=mechanism,
            tls=bool(cl.get("tls", target == "aws")),
            partition=m.group("partition") if m else None,
            region=m.group("region") if m else None,
            account=m.group("account") if m else None,
            name=m.group("name") if m else None,
            uuid=m.group("uuid") if m else None,
        ),
        registry_kind=reg.get("kind", "none"),
        registry_name=reg.get("name"),

        catalog_bucket=cat.get("bucket"),
        catalog_folder=cat.get("folder"),
        role_prefix=get("iamRolePrefix", f"eeb-{name}"),
        permissions_boundary=get("iamPermissionsBoundary"),
        region=region,
        authorization=authorization,
        scram_users=bool(get("scramUsers", target == "local")),
        registry_url=reg.get("url"),
        raw=cfg,
    )


def load_stacks(root: str, fs=None) -> list[StackConfig]:
    return [load_stack(root, f[len("Pulumi.") : -len(".yaml")], fs) for f in stack_files(root, fs)]
