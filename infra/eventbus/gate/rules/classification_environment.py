"""classification-environment"""
from eventbus.desired.policy import allowed_in
from eventbus.gate.rules import Rule


class ClassificationEnvironment(Rule):
    """Events carrying PII or PHI are never subscribed to in an environment whose stacks forbid that classification (the sandbox allows none).

    Such an event has no topic there at all, so its producers get no access there either.
    """

    id = "classification-environment"
    hint = "remove the environment; use synthetic data in the sandbox"

    def check(self, ctx):
        for c, s, e in ctx.subscriptions():
            if e is None:
                continue
            for i, env in enumerate(s.environments):
                if not allowed_in(ctx.stacks_by_env.get(env, []), e.classification):
                    yield self.finding(c.pos.loc("subscriptions", s.index, "environments", i), f"{s.event} carries {e.classification}, which the '{env}' environment does not allow")
