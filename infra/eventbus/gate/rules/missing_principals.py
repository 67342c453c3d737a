"""missing-principals"""
from eventbus.gate.rules import Rule


class MissingPrincipals(Rule):
    """A consumer subscribing in an environment lists the IAM principals that will use that access there.

    Without them the generated role could be assumed by no one, so the
    subscription would silently do nothing.
    """

    id = "missing-principals"
    hint = "add principals.<environment>: [arn:aws-us-gov:iam::<account>:role/<your-app-role>]"

    def check(self, ctx):
        for c, s, _e in ctx.subscriptions():
            for i, env in enumerate(s.environments):
                if env not in c.principals:
                    yield self.finding(c.pos.loc("subscriptions", s.index, "environments", i), f"subscription to {s.event} in '{env}' but no principals are listed for '{env}'",
                                       f"add principals.{env} with the IAM role ARNs of {c.application} in {env}")
