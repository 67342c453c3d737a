"""event-successor"""
from eventbus.gate.rules import Rule


class EventSuccessor(Rule):
    """A deprecated event and its successor name each other: ``replaced_by:`` on the old event, ``replaces:`` on the new one, both existing events.

    This is how a breaking change is published (``eventbus new version <event> --breaking``
    writes both): a successor event with its own topic, the old one deprecated with a removal
    date at least six months out (deprecation-dates), consumers moving over while the producer
    publishes both, then the old one retired. An event with ``replaced_by`` is deprecated or
    retired; neither names itself.
    """

    id = "event-successor"
    hint = "name each other: replaced_by: <domain>/<new event> on the old event, replaces: <domain>/<old event> on the new one"

    def check(self, ctx):
        events = ctx.registry.events_by_ref
        for e in ctx.registry.events:
            for key, other_key in (("replaced_by", "replaces"), ("replaces", "replaced_by")):
                target = getattr(e, key)
                if target is None or target in ctx.broken:
                    continue
                loc = e.pos.loc(key)
                if target == e.ref:
                    yield self.finding(loc, f"{e.ref} names itself under {key}", f"name the {'new' if key == 'replaced_by' else 'old'} event, or remove {key}")
                    continue
                other = events.get(target)
                if other is None:
                    gone = "successor" if key == "replaced_by" else "predecessor"
                    yield self.finding(loc, f"{key}: {target} is not an event (events/{target}/event.yaml)",
                                       f"name an existing event, or remove {key} once its {gone} is gone")
                    continue
                back = getattr(other, other_key)
                if back != e.ref:
                    said = f"names {back}" if back else "does not name it"
                    yield self.finding(loc, f"{e.ref} says {key}: {target}, but {target} {said} under {other_key}",
                                       f"add {other_key}: {e.ref} to events/{target}/event.yaml")
            if e.replaced_by is not None and e.lifecycle not in ("deprecated", "retired"):
                yield self.finding(e.pos.loc("lifecycle"), f"{e.ref} has a successor ({e.replaced_by}) but is {e.lifecycle}",
                                   "set lifecycle: deprecated with deprecated_on and removal_date (at least six months later)")
