"""sensitive-agreements"""
from eventbus.rules import Rule


class SensitiveAgreements(Rule):
    """Consumers of PII or PHI events have a signed data sharing agreement and an authority to operate."""

    id = "sensitive-agreements"
    hint = "add compliance.data_sharing_agreement and an ato_status of ATO, cATO or IATO"

    def check(self, ctx):
        events = ctx.registry.events_by_ref
        for c in ctx.registry.consumers:
            sensitive = [s for s in c.subscriptions if (e := events.get(s.event)) is not None and e.sensitive]
            if not sensitive:
                continue
            first = sensitive[0]
            if not c.compliance.data_sharing_agreement:
                yield self.finding(c.pos.loc("compliance"), f"{c.ref} reads {events[first.event].classification} ({first.event}) without a data sharing agreement")
            if c.compliance.ato_status in (None, "none"):
                yield self.finding(c.pos.loc("compliance", "ato_status"), f"{c.ref} reads {events[first.event].classification} ({first.event}) without an authority to operate")
