"""subscription-environment"""
from eventbus.findings import Severity
from eventbus.rules import Rule


class SubscriptionEnvironment(Rule):
    """A subscription names only environments where the event has a producer (elsewhere the topic stays empty).

    An event is produced in an environment where one of its producer applications lists
    principals (in its own ``consumers/<owner>/<application>.yaml``).
    """

    id = "subscription-environment"
    severity = Severity.WARNING
    hint = "subscribe where the event is produced, or ask the owning team when it will be"

    def check(self, ctx):
        events = ctx.registry.events_by_ref
        for c in ctx.registry.consumers:
            for s in c.subscriptions:
                e = events.get(s.event)
                if e is None:
                    continue
                produced = {env for p in e.producers if (app := ctx.registry.producer_app(e, p)) is not None for env in app.principals}
                for i, env in enumerate(s.environments):
                    if env not in produced:
                        yield self.finding(c.pos.loc("subscriptions", s.index, "environments", i), f"{s.event} has no producer in '{env}'")
