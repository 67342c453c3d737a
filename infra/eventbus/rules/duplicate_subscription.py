"""duplicate-subscription"""
from eventbus.rules import Rule


class DuplicateSubscription(Rule):
    """An application subscribes to each event once (list every environment in that one entry)."""

    id = "duplicate-subscription"
    hint = "merge the two entries and list all environments in one"

    def check(self, ctx):
        for c in ctx.registry.consumers:
            seen = {}
            for s in c.subscriptions:
                if s.event in seen:
                    yield self.finding(c.pos.loc("subscriptions", s.index, "event"), f"{s.event} is subscribed twice (first at subscriptions[{seen[s.event]}])")
                seen.setdefault(s.event, s.index)
