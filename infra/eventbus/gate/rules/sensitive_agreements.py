"""sensitive-agreements"""
from eventbus.gate.rules import Rule
from eventbus.model import Consumer, Event


class SensitiveAgreements(Rule):
    """Consumers of PII or PHI events have a signed data sharing agreement and an authority to operate."""

    id = "sensitive-agreements"
    hint = "add compliance.data_sharing_agreement and an ato_status of ATO, cATO or IATO"

    def check(self, ctx):
        first: dict[str, tuple[Consumer, Event]] = {}
        for c, _s, e in ctx.subscriptions():
            if e is not None and e.sensitive:
                first.setdefault(c.ref, (c, e))
        for c, e in first.values():
            if not c.compliance.data_sharing_agreement:
                yield self.finding(c.pos.loc("compliance"), f"{c.ref} reads {e.classification} ({e.ref}) without a data sharing agreement")
            if c.compliance.ato_status in (None, "none"):
                yield self.finding(c.pos.loc("compliance", "ato_status"), f"{c.ref} reads {e.classification} ({e.ref}) without an authority to operate")
