"""AWS IAM adapter: read the roles a stack's deploy manages and compare them with the desired
state (``eventbus drift`` on IAM stacks), or every role whose policies name the cluster
(``eventbus import``). Read-only: nothing here changes IAM.

A role is the stack's when its name starts with the stack's prefix and it carries the tag
``managed-by: eventbus-registry`` (the program tags every role it creates).
"""
from __future__ import annotations

import fnmatch
import json
import urllib.parse
from dataclasses import dataclass, field

from eventbus.desired import DesiredState

MANAGED_TAG = ("managed-by", "eventbus-registry")
POLICY_NAME = "eventbus-access"  # the inline policy the program attaches to each role


class IamUnavailable(RuntimeError):
    pass


@dataclass(frozen=True)
class LiveRole:
    name: str
    trust: dict
    policies: dict[str, dict]  # inline policy name -> document
    attached: tuple[str, ...]  # managed policy ARNs
    managed: bool  # carries the managed-by tag
    boundary: str | None
    attached_docs: dict[str, dict] = field(default_factory=dict)  # managed policy ARN -> its default version's document (read_cluster_roles)


@dataclass
class LiveIam:
    roles: dict[str, LiveRole] = field(default_factory=dict)


def client(region: str | None):
    """An IAM client (``AWS_ENDPOINT_URL_IAM`` or ``AWS_ENDPOINT_URL`` point it elsewhere, e.g. moto)."""
    import boto3

    return boto3.client("iam", region_name=region or "us-gov-west-1")


def _doc(value) -> dict:
    if isinstance(value, str):
        return json.loads(urllib.parse.unquote(value))
    return value or {}


def read_roles(iam, prefix: str) -> LiveIam:
    """Every role whose name starts with ``prefix`` + ``.``, with its trust, inline and attached policies."""
    from botocore.exceptions import BotoCoreError, ClientError

    live = LiveIam()
    try:
        for page in iam.get_paginator("list_roles").paginate():
            for r in page["Roles"]:
                name = r["RoleName"]
                if not name.startswith(prefix + "."):
                    continue
                tags = {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=name).get("Tags", [])}
                inline = {p: _doc(iam.get_role_policy(RoleName=name, PolicyName=p)["PolicyDocument"])
                          for p in iam.list_role_policies(RoleName=name).get("PolicyNames", [])}
                attached = tuple(sorted(a["PolicyArn"] for a in iam.list_attached_role_policies(RoleName=name).get("AttachedPolicies", [])))
                # ListRoles never returns a role's permissions boundary; GetRole does
                boundary = (iam.get_role(RoleName=name)["Role"].get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
                live.roles[name] = LiveRole(name, _doc(r.get("AssumeRolePolicyDocument")), inline, attached,
                                            tags.get(MANAGED_TAG[0]) == MANAGED_TAG[1], boundary)
    except (BotoCoreError, ClientError) as exc:
        raise IamUnavailable(f"cannot read IAM roles: {exc}") from None
    return live


def read_cluster_roles(iam, cluster_arn: str, progress=None) -> LiveIam:
    """Every role (whatever its name) with a policy, inline or attached, that names the cluster:
    its ARN, or the ARN of one of its topics or groups (``eventbus import`` on IAM stacks).
    ``progress(step, done, total)`` is called per page of roles."""
    from botocore.exceptions import BotoCoreError, ClientError

    head, _, rest = cluster_arn.partition(":cluster/")  # arn:<partition>:kafka:<region>:<account>, <name>/<uuid>
    marks = tuple(f"{head}:{kind}/{rest}" for kind in ("cluster", "topic", "group"))
    tell = progress or (lambda *_: None)
    live = LiveIam()
    seen = 0
    docs: dict[str, dict] = {}
    try:
        for page in iam.get_paginator("list_roles").paginate():
            for r in page["Roles"]:
                name = r["RoleName"]
                inline = {p: _doc(iam.get_role_policy(RoleName=name, PolicyName=p)["PolicyDocument"])
                          for p in iam.list_role_policies(RoleName=name).get("PolicyNames", [])}
                attached = {}
                for a in iam.list_attached_role_policies(RoleName=name).get("AttachedPolicies", []):
                    arn = a["PolicyArn"]
                    if arn not in docs:
                        version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
                        docs[arn] = _doc(iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"])
                    attached[arn] = docs[arn]
                names_cluster = any(str(res).startswith(marks) for d in (*inline.values(), *attached.values())
                                    for st in _statements(d) for res in _as_list(st.get("Resource")))
                if names_cluster:
                    tags = {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=name).get("Tags", [])}
                    live.roles[name] = LiveRole(name, _doc(r.get("AssumeRolePolicyDocument")), inline, tuple(sorted(attached)),
                                                tags.get(MANAGED_TAG[0]) == MANAGED_TAG[1], (r.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn"),
                                                attached)
            seen += len(page["Roles"])
            tell("IAM roles", seen, None)
    except (BotoCoreError, ClientError) as exc:
        raise IamUnavailable(f"cannot read IAM roles: {exc}") from None
    return live


def trust_principals(trust: dict) -> set[str]:
    """The AWS principals a trust policy lets assume the role."""
    return _principals(trust)


def grants(policy: dict) -> set[tuple[str, str]]:
    """(action, resource) of every Allow statement of a policy document."""
    return _grants(policy)


def _statements(doc: dict) -> list[dict]:
    """A document's statements: ``Statement`` may be one object or a list of them."""
    return [st for st in _as_list(doc.get("Statement")) if isinstance(st, dict)]


_ASSUME = ("sts:assumerole", "sts:assumerolewithwebidentity", "sts:assumerolewithsaml")


def _assumes(st: dict) -> bool:
    """Whether a trust statement names an AssumeRole action (actions are case-insensitive, may hold wildcards)."""
    if "NotAction" in st:
        return not any(fnmatch.fnmatchcase(a, str(n).lower()) for a in _ASSUME for n in _as_list(st["NotAction"]))
    return any(fnmatch.fnmatchcase(a, str(n).lower()) for a in _ASSUME for n in _as_list(st.get("Action")))


def _principals(trust: dict, every: bool = False) -> set[str]:
    """AWS principals of the Allow statements that let assume the role; ``every`` adds the others
    as ``<kind>:<name>`` (Service, Federated, CanonicalUser), and ``*`` for ``Principal: "*"`` or a NotPrincipal."""
    out: set[str] = set()
    for st in _statements(trust):
        if st.get("Effect") != "Allow" or not _assumes(st):
            continue
        principal = st.get("Principal")
        if principal == "*" or "NotPrincipal" in st:
            out.add("*")
            continue
        for kind, names in (principal if isinstance(principal, dict) else {}).items():
            if kind == "AWS":
                out |= {str(n) for n in _as_list(names)}
            elif every:
                out |= {f"{kind}:{n}" for n in _as_list(names)}
    return out


def _grants(policy: dict, conditional: bool = True) -> set[tuple[str, str]]:
    """(action, resource) of the Allow statements (with or without a Condition); NotAction and
    NotResource show as ``every action but ...`` / ``every resource but ...``."""
    out: set[tuple[str, str]] = set()
    for st in _statements(policy):
        if st.get("Effect") != "Allow" or (not conditional and st.get("Condition")):
            continue
        actions = [f"every action but {', '.join(map(str, _as_list(st['NotAction'])))}"] if "NotAction" in st else _as_list(st.get("Action"))
        resources = [f"every resource but {', '.join(map(str, _as_list(st['NotResource'])))}"] if "NotResource" in st else _as_list(st.get("Resource"))
        out |= {(str(a), str(r)) for a in actions for r in resources}
    return out


def _denies(doc: dict) -> list[str]:
    """Each Deny statement of a document, as ``<actions> on <resources>`` (or ``<actions> to <principals>``)."""
    out = []
    for st in _statements(doc):
        if st.get("Effect") == "Deny":
            what = {k: ", ".join(map(str, _as_list(v))) if not isinstance(v, dict) else json.dumps(v, sort_keys=True)
                    for k, v in st.items() if k in ("Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal")}
            out.append(" ".join(f"{k} {v}" for k, v in sorted(what.items())))
    return out


def _as_list(value) -> list:
    return value if isinstance(value, list) else ([] if value is None else [value])


def _keyed(grants: set[tuple[str, str]]) -> dict[tuple[str, str], tuple[str, str]]:
    """Grants by (lower-cased action, resource): IAM action names are case-insensitive, ARNs are not."""
    return {(a.lower(), r): (a, r) for a, r in sorted(grants)}


def compare(desired: DesiredState, live: LiveIam) -> list[str]:
    """Differences between the roles ``desired`` holds and the stack's roles in IAM, as lines."""
    out: list[str] = []
    for role in desired.roles:
        got = live.roles.get(role.name)
        if got is None:
            out.append(f"role {role.name} ({role.app}): missing in IAM")
            continue
        want_p, have_p = set(role.trust_principals), _principals(got.trust, every=True)
        for p in sorted(have_p - want_p):
            out.append(f"role {role.name}: {p} may assume it, but the registry lists no such principal")
        for p in sorted(want_p - have_p):
            out.append(f"role {role.name}: principal {p} of the registry cannot assume it")
        for d in sorted(_denies(got.trust)):
            out.append(f"role {role.name}: its trust policy denies {d}, which the registry does not")
        want_g = _keyed(_grants(role.policy()))
        have_g = _keyed(set().union(*[_grants(d) for d in got.policies.values()]))
        plain = _keyed(set().union(*[_grants(d, conditional=False) for d in got.policies.values()]))
        for k in sorted(set(have_g) - set(want_g)):
            out.append(f"role {role.name}: grants {have_g[k][0]} on {have_g[k][1]}, which the registry does not")
        for k in sorted(set(want_g) - set(plain)):
            a, r = want_g[k]
            out.append(f"role {role.name}: grants {a} on {r} only under a Condition, which the registry does not set" if k in have_g
                       else f"role {role.name}: lacks {a} on {r}")
        for name, d in sorted(got.policies.items()):
            for deny in _denies(d):
                out.append(f"role {role.name}: inline policy {name} denies {deny}, which the registry does not")
        for name in sorted(set(got.policies) - {POLICY_NAME}):
            out.append(f"role {role.name}: inline policy {name} is not the registry's")
        for arn in got.attached:
            out.append(f"role {role.name}: managed policy {arn} is attached outside the registry")
        if got.boundary != role.permissions_boundary:
            out.append(f"role {role.name}: permissions boundary {got.boundary or 'none'}, the registry says {role.permissions_boundary or 'none'}")
    wanted = {r.name for r in desired.roles}
    for name, got in sorted(live.roles.items()):
        if name not in wanted and got.managed:
            out.append(f"role {name}: managed by the registry's deploy but not in the registry")
    return out
