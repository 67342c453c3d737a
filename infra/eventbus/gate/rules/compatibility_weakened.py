"""compatibility-weakened"""
from eventbus.gate.rules import Rule
from eventbus.model import PROMISES, weakens


class CompatibilityWeakened(Rule):
    """An event with merged schema versions never weakens its compatibility mode (to NONE, from transitive to non-transitive, or from FULL to one side).

    The mode is what consumers rely on when they upgrade; weakening it in the pull request
    that adds a new version would let that version break them. A mode may become stricter
    (BACKWARD to BACKWARD_TRANSITIVE or FULL). A breaking change is a new event
    (``eventbus new version EVENT --breaking``).
    """

    id = "compatibility-weakened"
    needs_base = True
    hint = "keep the mode (or make it stricter); publish a successor event for a breaking change"

    def check(self, ctx):
        base = ctx.history
        for e in ctx.registry.events:
            old = base.get(e.ref)
            if old is None or not old.versions or old.compatibility == e.compatibility:
                continue
            if weakens(old.compatibility, e.compatibility):
                dropped = ", ".join(sorted(PROMISES[old.compatibility] - PROMISES[e.compatibility]))
                yield self.finding(e.pos.loc("schema", "compatibility"),
                                   f"compatibility of {e.ref} weakened from {old.compatibility} to {e.compatibility} (drops: {dropped}); its merged versions were published under {old.compatibility}")
