"""event-successor"""
from eventbus.gate.rules import Rule


class EventSuccessor(Rule):
    """A deprecated event's ``replaced_by:`` names an existing event that is not retired; a successor's optional ``replaces:`` names an event whose ``replaced_by`` names it back.

    This is how a breaking change is published (``eventbus new version <event> --breaking``
    writes both): a successor event with its own topic, the old one deprecated with a removal
    date at least six months out (deprecation-dates), consumers moving over while the producer
    publishes both, then the old one retired. Only a deprecated or retired event has a
    ``replaced_by``; no event names itself, and following ``replaced_by`` never comes back to
    where it started. The catalog links both ways from ``replaced_by`` alone.
    """

    id = "event-successor"
    hint = "replaced_by: <domain>/<new event> on the deprecated event; replaces: <domain>/<old event> (optional) on the new one"

    def check(self, ctx):
        events = ctx.registry.events_by_ref
        for e in ctx.registry.events:
            if e.replaced_by is not None and e.replaced_by not in ctx.broken:
                yield from self._replaced_by(ctx, e, events.get(e.replaced_by))
            if e.replaces is not None and e.replaces not in ctx.broken:
                old = events.get(e.replaces)
                loc = e.pos.loc("replaces")
                if e.replaces == e.ref:
                    yield self.finding(loc, f"{e.ref} names itself under replaces", "name the event it replaces, or remove replaces")
                elif old is None:
                    yield self.finding(loc, f"replaces: {e.replaces} is not an event (events/{e.replaces}/event.yaml)",
                                       "name an existing event, or remove replaces once the old event is gone")
                elif old.replaced_by != e.ref:
                    said = f"names {old.replaced_by}" if old.replaced_by else "does not name it"
                    yield self.finding(loc, f"{e.ref} says replaces: {e.replaces}, but {e.replaces} {said} under replaced_by",
                                       f"add replaced_by: {e.ref} to events/{e.replaces}/event.yaml (and deprecate it), or remove replaces")

    def _replaced_by(self, ctx, e, target):
        loc = e.pos.loc("replaced_by")
        if e.lifecycle not in ("deprecated", "retired"):
            yield self.finding(e.pos.loc("lifecycle"), f"{e.ref} has a successor ({e.replaced_by}) but is {e.lifecycle}",
                               "set lifecycle: deprecated with deprecated_on and removal_date (at least six months later)")
        if e.replaced_by == e.ref:
            yield self.finding(loc, f"{e.ref} names itself under replaced_by", "name the event that replaces it")
        elif target is None:
            yield self.finding(loc, f"replaced_by: {e.replaced_by} is not an event (events/{e.replaced_by}/event.yaml)",
                               "name an existing event (eventbus new version <event> --breaking scaffolds one)")
        elif target.lifecycle == "retired":
            yield self.finding(loc, f"{e.ref} is replaced by {target.ref}, which is retired", "name the event its consumers should move to")
        else:
            seen, step = {e.ref}, target
            while step is not None and step.replaced_by and step.replaced_by not in seen:
                seen.add(step.ref)
                step = ctx.registry.events_by_ref.get(step.replaced_by)
            if step is not None and step.replaced_by == e.ref:
                yield self.finding(loc, f"replaced_by goes round in a circle: {e.ref} → {target.ref} → … → {e.ref}", "one of them is the successor: remove replaced_by from it")
