"""classification-environment"""
from eventbus.rules import Rule


class ClassificationEnvironment(Rule):
    """Events carrying PII or PHI are never produced or consumed in an environment whose stacks forbid that classification (the sandbox allows none)."""

    id = "classification-environment"
    hint = "remove the environment; use synthetic data in the sandbox"

    def check(self, ctx):
        def allowed(env, cls):
            stacks = ctx.stacks_by_env.get(env, [])
            return all(cls in s.allowed_classifications for s in stacks)

        for e in ctx.registry.events:
            for p in e.producers:
                for env in p.principals:
                    if not allowed(env, e.classification):
                        yield self.finding(e.pos.loc("producers", p.index, "principals", env), f"{e.ref} carries {e.classification}, which the '{env}' environment does not allow")
        events = ctx.registry.events_by_ref
        for c in ctx.registry.consumers:
            for s in c.subscriptions:
                e = events.get(s.event)
                if e is None:
                    continue
                for i, env in enumerate(s.environments):
                    if not allowed(env, e.classification):
                        yield self.finding(c.pos.loc("subscriptions", s.index, "environments", i), f"{s.event} carries {e.classification}, which the '{env}' environment does not allow")
