"""restricted-access"""
from eventbus.rules import Rule


class RestrictedAccess(Rule):
    """A restricted event only admits the consumers its owning team lists in ``access.allowed_consumers``.

    The owners approve a subscriber by editing their own event.yaml, which
    CODEOWNERS protects, so the approval is a reviewed change by the owning team.
    """

    id = "restricted-access"
    hint = "ask the owning team to add '<team>/<application>' to access.allowed_consumers in their event.yaml"

    def check(self, ctx):
        events = ctx.registry.events_by_ref
        for c in ctx.registry.consumers:
            for s in c.subscriptions:
                e = events.get(s.event)
                if e is not None and e.access_policy == "restricted" and c.ref not in e.allowed_consumers:
                    yield self.finding(
                        c.pos.loc("subscriptions", s.index, "event"),
                        f"{s.event} is restricted and {c.ref} is not among its allowed consumers",
                        f"ask team '{e.owner}' to add '{c.ref}' to access.allowed_consumers in {e.file}",
                    )
