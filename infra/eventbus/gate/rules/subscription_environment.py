"""subscription-environment"""
from eventbus.gate.rules import Rule
from eventbus.model.findings import Severity


class SubscriptionEnvironment(Rule):
    """A subscription names only environments where the event has a producer (elsewhere the topic stays empty).

    An event is produced in an environment where one of its producer applications lists
    principals (in its own ``consumers/<owner>/<application>.yaml``).
    """

    id = "subscription-environment"
    severity = Severity.WARNING
    hint = "subscribe where the event is produced, or ask the owning team when it will be"

    def check(self, ctx):
        produced: dict[str, set[str]] = {}
        for e, _p, app in ctx.producers():
            produced.setdefault(e.ref, set()).update(app.principals if app is not None else ())
        for c, s, e in ctx.subscriptions():
            if e is None:
                continue
            for i, env in enumerate(s.environments):
                if env not in produced.get(e.ref, ()):
                    yield self.finding(c.pos.loc("subscriptions", s.index, "environments", i), f"{s.event} has no producer in '{env}'")
