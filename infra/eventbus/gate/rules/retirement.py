"""retirement"""
from eventbus.gate.rules import Rule


class Retirement(Rule):
    """An event is retired only after its removal date and once no consumer subscribes to it."""

    id = "retirement"
    hint = "keep lifecycle: deprecated until the removal date has passed and every consumer has unsubscribed"

    def check(self, ctx):
        for e in ctx.registry.events:
            if e.lifecycle != "retired":
                continue
            if e.removal_date and e.removal_date > ctx.today:
                yield self.finding(e.pos.loc("lifecycle"), f"{e.ref} is retired before its removal_date {e.removal_date}")
            subs = [c.ref for c, _ in ctx.registry.subscribers.get(e.ref, ())]
            if subs:
                yield self.finding(e.pos.loc("lifecycle"), f"{e.ref} is retired but still has subscribers: {', '.join(subs)}", "the listed consumers must remove their subscriptions first")
