"""unknown-consumer"""
from eventbus.gate.rules import Rule
from eventbus.model.findings import Severity


class UnknownConsumer(Rule):
    """Every ``access.allowed_consumers`` entry of a restricted event names an existing consumer application.

    A warning, not an error: owners may approve a consumer before its own
    pull request lands. A typo here would otherwise stay unnoticed.
    """

    id = "unknown-consumer"
    severity = Severity.WARNING
    hint = "use <team>/<application> as in consumers/<team>/<application>.yaml"

    def check(self, ctx):
        known = ctx.registry.consumers_by_ref
        for e in ctx.registry.events:
            for i, ref in enumerate(e.allowed_consumers):
                if ref not in known and ref not in ctx.broken:
                    yield self.finding(e.pos.loc("access", "allowed_consumers", i), f"allowed consumer '{ref}' does not exist (yet)")
