"""unknown-environment"""
from eventbus.gate.rules import Rule


class UnknownEnvironment(Rule):
    """Environments named in principals, subscriptions and approvals exist as a stack (``eventbus:environment`` of a Pulumi.<stack>.yaml)."""

    id = "unknown-environment"
    hint = "use an environment of the stacks"

    def check(self, ctx):
        envs = set(ctx.registry.environments)
        if not envs:
            return
        known = ", ".join(sorted(envs))
        for c in ctx.registry.consumers:
            for env in c.principals:
                if env not in envs:
                    yield self.finding(c.pos.loc("principals", env), f"unknown environment '{env}' in principals", f"use one of: {known}")
            for s in c.subscriptions:
                for i, env in enumerate(s.environments):
                    if env not in envs:
                        yield self.finding(c.pos.loc("subscriptions", s.index, "environments", i), f"unknown environment '{env}' in subscription to {s.event}", f"use one of: {known}")
            for a in c.compliance.obi_approvals:
                for i, env in enumerate(a.environments):
                    if env not in envs:
                        yield self.finding(c.pos.loc("compliance", "obi_approvals", a.index, "environments", i), f"unknown environment '{env}' in OBI approval", f"use one of: {known}")
