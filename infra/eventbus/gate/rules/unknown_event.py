"""unknown-event"""
from eventbus.gate.rules import Rule


class UnknownEvent(Rule):
    """Every subscription and OBI approval names an event that exists (``<domain>/<event>``)."""

    id = "unknown-event"
    hint = "use <domain>/<event> as in events/<domain>/<event>/"

    def check(self, ctx):
        events = ctx.registry.events_by_ref
        for c, s, e in ctx.subscriptions():
            if e is None and s.event not in ctx.broken:
                yield self.finding(c.pos.loc("subscriptions", s.index, "event"), f"subscription to unknown event '{s.event}'", _suggest(s.event, events))
        for c in ctx.registry.consumers:
            for a in c.compliance.obi_approvals:
                if a.event not in events and a.event not in ctx.broken:
                    yield self.finding(c.pos.loc("compliance", "obi_approvals", a.index, "event"), f"OBI approval for unknown event '{a.event}'", _suggest(a.event, events))


def _suggest(ref, events):
    import difflib

    close = difflib.get_close_matches(ref, list(events), n=1)
    return f"did you mean '{close[0]}'?" if close else "check events/ for the <domain>/<event> folder name"
