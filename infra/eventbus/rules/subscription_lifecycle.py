"""subscription-lifecycle"""
from eventbus.findings import Severity
from eventbus.rules import Rule


class SubscriptionLifecycle(Rule):
    """Subscriptions to deprecated events warn (with the removal date); new subscriptions to retired events are refused."""

    id = "subscription-lifecycle"
    severity = Severity.WARNING
    hint = "plan the move to the replacement event before the removal date"

    def check(self, ctx):
        events = ctx.registry.events_by_ref
        for c in ctx.registry.consumers:
            for s in c.subscriptions:
                e = events.get(s.event)
                if e is None:
                    continue
                if e.lifecycle == "deprecated":
                    yield self.finding(c.pos.loc("subscriptions", s.index, "event"), f"{s.event} is deprecated and will be removed on {e.removal_date}")
                elif e.lifecycle == "retired":
                    yield self.finding(c.pos.loc("subscriptions", s.index, "event"), f"{s.event} is retired", "remove this subscription", Severity.ERROR)
