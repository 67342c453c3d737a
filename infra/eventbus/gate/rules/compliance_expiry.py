"""compliance-expiry"""
import datetime as dt

from eventbus.gate.rules import Rule
from eventbus.model.findings import Severity


class ComplianceExpiry(Rule):
    """Compliance documents are current: the PTA is renewed yearly, the PIA every three years, the ATO has not expired (error), and no signing date lies in the future (error)."""

    id = "compliance-expiry"
    severity = Severity.WARNING
    hint = "renew the document and update its date"

    def check(self, ctx):
        today = ctx.today
        for c in ctx.registry.consumers:
            k = c.compliance
            if k.pta_date and k.pta_date < today - dt.timedelta(days=366):
                yield self.finding(c.pos.loc("compliance", "pta_date"), f"PTA of {c.ref} dated {k.pta_date} is over a year old")
            if k.pia_date and k.pia_date < today - dt.timedelta(days=3 * 366):
                yield self.finding(c.pos.loc("compliance", "pia_date"), f"PIA of {c.ref} dated {k.pia_date} is over three years old")
            for name in ("pta_date", "pia_date"):
                when = getattr(k, name)
                if when and when > today:
                    yield self.finding(c.pos.loc("compliance", name), f"{name} {when} of {c.ref} is in the future", "use the date the document was signed", Severity.ERROR)
            if k.ato_expires and k.ato_expires < today:
                yield self.finding(c.pos.loc("compliance", "ato_expires"), f"ATO of {c.ref} expired on {k.ato_expires}", severity=Severity.ERROR)
