"""restricted-access"""
from eventbus.desired.policy import admitted
from eventbus.gate.rules import Rule


class RestrictedAccess(Rule):
    """A restricted event only admits the consumers its owning team lists in ``access.allowed_consumers``.

    The owners approve a subscriber by editing their own event.yaml, which
    CODEOWNERS protects, so the approval is a reviewed change by the owning team.
    """

    id = "restricted-access"
    hint = "ask the owning team to add '<team>/<application>' to access.allowed_consumers in their event.yaml"

    def check(self, ctx):
        for c, s, e in ctx.subscriptions():
            if e is not None and not admitted(e, c.ref):
                yield self.finding(
                    c.pos.loc("subscriptions", s.index, "event"),
                    f"{s.event} is restricted and {c.ref} is not among its allowed consumers",
                    f"ask team '{e.owner}' to add '{c.ref}' to access.allowed_consumers in {e.file}",
                )
