"""duplicate-subscription"""
from eventbus.gate.rules import Rule


class DuplicateSubscription(Rule):
    """An application subscribes to each event once (list every environment in that one entry)."""

    id = "duplicate-subscription"
    hint = "merge the two entries and list all environments in one"

    def check(self, ctx):
        seen: dict[tuple[str, str], int] = {}
        for c, s, _e in ctx.subscriptions():
            first = seen.setdefault((c.ref, s.event), s.index)
            if first != s.index:
                yield self.finding(c.pos.loc("subscriptions", s.index, "event"), f"{s.event} is subscribed twice (first at subscriptions[{first}])")
