"""event-removal"""
from eventbus.gate.rules import Rule
from eventbus.model import Loc


class EventRemoval(Rule):
    """An event folder is only removed once the event is retired (checked against ``--base``).

    Removing or renaming an event folder deletes its topic and its data.
    The path is: lifecycle deprecated with a removal date at least six months
    out, then retired after that date once no consumer subscribes, then the
    folder may go.
    """

    id = "event-removal"
    hint = "set lifecycle: deprecated with deprecated_on and removal_date (>= 6 months later) instead of deleting"
    needs_base = True

    def check(self, ctx):
        now = ctx.registry.events_by_ref
        topics_now = {e.topic_name for e in ctx.registry.events}
        for old in ctx.base.events:
            if old.ref in now or old.ref in ctx.broken:
                continue
            if old.topic_name in topics_now:
                continue  # moved folder with an explicit, unchanged topic name
            subscribers = [c.ref for c, _ in ctx.base.subscribers.get(old.ref, ())]
            if old.lifecycle == "retired":
                continue
            who = f"; consumers still subscribed at the base: {', '.join(subscribers)}" if subscribers else ""
            yield self.finding(
                Loc(old.file, 1),
                f"event {old.ref} (lifecycle {old.lifecycle}) was removed or renamed: its topic {old.topic_name} and all its data would be deleted{who}",
            )
