"""iam-policy-size"""
import json

from eventbus.gate.rules import Rule

POLICY_MAX = 10_240  # all inline policies of one role, whitespace not counted
TRUST_MAX = 2_048  # a role's trust policy (the default quota)
_COMPACT = json.JSONEncoder(separators=(",", ":"))  # json.dumps(..., separators=...) builds an encoder per call


class IamPolicySize(Rule):
    """An application's generated IAM policies fit IAM's limits: the access policy at most 10,240 characters, the trust policy at most 2,048.

    Each subscribed or produced topic adds its ARN to the access policy and each principal
    to the trust policy; IAM refuses a larger policy and the stack's deploy fails.
    """

    id = "iam-policy-size"
    uses_desired = True
    hint = "split the application in two, each with its own subscriptions, or list fewer principals"

    def check(self, ctx):
        apps = ctx.registry.consumers_by_ref
        reported = set()
        for stack in ctx.registry.stacks:
            if stack.target != "aws":
                continue
            for r in ctx.desired(stack).roles:
                c = apps.get(r.app)
                if c is None or r.app in reported:
                    continue
                size = len(_COMPACT.encode(r.policy()))
                trust = len(_COMPACT.encode(r.trust_policy()))
                if size > POLICY_MAX:
                    reported.add(r.app)
                    yield self.finding(c.pos.loc("subscriptions"), f"the IAM policy of {r.app} on stack {stack.name} would have {size:,} characters; IAM allows {POLICY_MAX:,}")
                elif trust > TRUST_MAX:
                    reported.add(r.app)
                    yield self.finding(c.pos.loc("principals"), f"the trust policy of {r.app} on stack {stack.name} would have {trust:,} characters; IAM allows {TRUST_MAX:,}",
                                       "list fewer principals for that environment")
