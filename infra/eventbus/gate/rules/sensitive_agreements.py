"""sensitive-agreements"""
from eventbus.gate.rules import Rule
from eventbus.gate.rules._compliance import is_reference
from eventbus.model import Consumer, Event


class SensitiveAgreements(Rule):
    """Consumers of PII or PHI events have a signed data sharing agreement and an authority to operate.

    The agreement is its reference, which holds a number (``DSA-VHA-PBM-2024-112``): ``TBD``,
    ``N/A``, ``none`` or ``pending`` is no agreement.
    """

    id = "sensitive-agreements"
    hint = "add compliance.data_sharing_agreement and an ato_status of ATO, cATO or IATO"

    def check(self, ctx):
        first: dict[str, tuple[Consumer, Event]] = {}
        for c, _s, e in ctx.subscriptions():
            if e is not None and e.sensitive:
                first.setdefault(c.ref, (c, e))
        for c, e in first.values():
            dsa = c.compliance.data_sharing_agreement
            if not dsa:
                yield self.finding(c.pos.loc("compliance"), f"{c.ref} reads {e.classification} ({e.ref}) without a data sharing agreement")
            elif not is_reference(dsa):
                yield self.finding(c.pos.loc("compliance", "data_sharing_agreement"),
                                   f"{c.ref} reads {e.classification} ({e.ref}), and its data sharing agreement '{dsa[:40]}' is not a reference (it holds no number)",
                                   "write the reference of the signed agreement, e.g. DSA-VHA-PBM-2024-112")
            if c.compliance.ato_status in (None, "none"):
                yield self.finding(c.pos.loc("compliance", "ato_status"), f"{c.ref} reads {e.classification} ({e.ref}) without an authority to operate")
