"""version-sequence"""
from eventbus.gate.rules import Rule


class VersionSequence(Rule):
    """Value schema versions are numbered v1.avsc, v2.avsc, ... without gaps, and there is at least one."""

    id = "version-sequence"
    hint = "name value schemas v1.avsc, v2.avsc, ... in order; never skip or reuse a number"

    def check(self, ctx):
        for e in ctx.registry.events:
            if not e.versions:
                yield self.finding(e.pos.loc(), f"{e.ref} has no value schema", f"add {e.folder}/v1.avsc")
                continue
            for expected, sv in enumerate(e.versions, start=1):
                if sv.version != expected:
                    yield self.finding(e.pos.loc(), f"{e.ref}: found v{sv.version}.avsc where v{expected}.avsc was expected", f"rename it to v{expected}.avsc")
                    break
