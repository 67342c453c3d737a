"""principal-unique"""
import re

from eventbus.gate.rules import Rule

# arn:<partition>:iam::<account>:role|user/<path/><name>; the schema has checked the form
ARN = re.compile(r"arn:([a-z-]+):iam::([0-9]{12}):(role|user)/(?:.*/)?([^/]+)")


def identity(arn: str) -> tuple[str, str, str, str] | None:
    """The IAM role or user an ARN names: (partition, account, kind, name in lower case). IAM
    names are unique in an account whatever their case and path, so ``role/App`` and
    ``role/svc/app`` name the same role as ``role/app``."""
    m = ARN.fullmatch(arn)
    return (m.group(1), m.group(2), m.group(3), m.group(4).lower()) if m else None


class PrincipalUnique(Rule):
    """An IAM principal belongs to one application: no two applications list the same role or user (IAM names ignore case and path), and no application lists a role the bus creates.

    A principal may assume the role of every application that lists it. Listed by a second
    application, it gets that application's grants too: restricted events that their owners
    approved for that application, not for the workload the principal is. A role of the bus
    (``<iamRolePrefix>.<team>.<application>`` in a stack's account) is an application's
    identity: listing it lets that application's principals chain into this one.
    """

    id = "principal-unique"
    hint = "list only the IAM roles your application runs as; each role belongs to one application"

    def check(self, ctx):
        bus = [(s.partition, s.cluster.account, s.role_prefix.lower() + ".") for s in ctx.registry.stacks if s.cluster.account]
        listed: dict[tuple, dict[str, tuple]] = {}  # identity -> application ref -> (application, env, index, arn), its first listing
        for c, env, i, arn in ctx.principals():
            key = identity(arn)
            if key is None:
                continue
            partition, account, kind, name = key
            if kind == "role" and any(partition == p and account == a and name.startswith(prefix) for p, a, prefix in bus):
                yield self.finding(c.pos.loc("principals", env, i), f"principal {arn} is a role the event bus creates for an application; its principals would get {c.ref}'s access too",
                                   "list the IAM role your application's workload runs as, not a role of the bus")
                continue
            listed.setdefault(key, {}).setdefault(c.ref, (c, env, i, arn))
        for apps in listed.values():
            if len(apps) < 2:
                continue
            for c, env, i, arn in apps.values():  # each side: the annotation lands on the file the pull request changed
                others = [(o, o_arn) for o, _e, _i, o_arn in apps.values() if o is not c]
                names = ", ".join(o.ref + ("" if o_arn == arn else f" (as {o_arn})") for o, o_arn in others)
                note = " (IAM names ignore case and path)" if any(o_arn != arn for _o, o_arn in others) else ""
                yield self.finding(c.pos.loc("principals", env, i), f"principal {arn} is also listed by {names}{note}; it would get the access of each of them",
                                   f"list only {c.application}'s own IAM roles: a role belongs to one application")
