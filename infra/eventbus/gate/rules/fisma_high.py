"""fisma-high"""
from eventbus.gate.rules import Rule


class FismaHigh(Rule):
    """Systems categorised FISMA High are refused: the bus is authorised at FISMA Moderate."""

    id = "fisma-high"
    hint = "FISMA High data cannot travel on the bus; talk to the platform team about alternatives"

    def check(self, ctx):
        for c in ctx.registry.consumers:
            if c.compliance.fisma_level == "High":
                yield self.finding(c.pos.loc("compliance", "fisma_level"), f"{c.ref} is a FISMA High system")
        for e in ctx.registry.events:
            if e.compliance is not None and e.compliance.fisma_level == "High":
                yield self.finding(e.pos.loc("compliance", "fisma_level"), f"the producing system of {e.ref} is FISMA High")
