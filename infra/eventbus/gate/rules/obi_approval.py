"""obi-approval"""
from eventbus.gate.rules import Rule
from eventbus.gate.rules._compliance import is_reference


class ObiApproval(Rule):
    """Consumers of BIP-sourced events hold an OBI data access approval for each environment they subscribe in.

    An approval counts when its reference holds a number (``OBI-DAR-2026-0077-P``): ``TBD`` or
    ``pending`` is no approval.
    """

    id = "obi-approval"
    hint = "add compliance.obi_approvals: [{event: <domain>/<event>, reference: <OBI approval id>, environments: [...]}]"

    def check(self, ctx):
        for c, s, e in ctx.subscriptions():
            if e is None or not e.bip_sourced:
                continue
            approved = {(a.event, env) for a in c.compliance.obi_approvals if is_reference(a.reference) for env in a.environments}
            missing = [env for env in s.environments if (s.event, env) not in approved]
            if missing:
                unnumbered = [a.reference for a in c.compliance.obi_approvals if a.event == s.event and not is_reference(a.reference)]
                why = f" (approval '{unnumbered[0][:40]}' holds no reference number)" if unnumbered else ""
                yield self.finding(c.pos.loc("subscriptions", s.index, "event"), f"{s.event} is sourced from BIP and {c.ref} has no OBI approval for {', '.join(missing)}{why}")
