"""subscription-lifecycle"""
from eventbus.gate.rules import Rule
from eventbus.model.findings import Severity


class SubscriptionLifecycle(Rule):
    """Subscriptions to deprecated events warn (with the removal date); new subscriptions to retired events are refused."""

    id = "subscription-lifecycle"
    severity = Severity.WARNING
    hint = "plan the move to the replacement event before the removal date"

    def check(self, ctx):
        for c, s, e in ctx.subscriptions():
            if e is None:
                continue
            if e.lifecycle == "deprecated":
                successor = f"; its successor is {e.replaced_by}" if e.replaced_by else ""
                hint = f"subscribe to {e.replaced_by}, then remove this subscription before the removal date" if e.replaced_by else None
                yield self.finding(c.pos.loc("subscriptions", s.index, "event"), f"{s.event} is deprecated and will be removed on {e.removal_date}{successor}", hint)
            elif e.lifecycle == "retired":
                yield self.finding(c.pos.loc("subscriptions", s.index, "event"), f"{s.event} is retired", "remove this subscription", Severity.ERROR)
