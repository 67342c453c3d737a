"""obi-approval"""
from eventbus.gate.rules import Rule


class ObiApproval(Rule):
    """Consumers of BIP-sourced events hold an OBI data access approval for each environment they subscribe in."""

    id = "obi-approval"
    hint = "add compliance.obi_approvals: [{event: <domain>/<event>, reference: <OBI approval id>, environments: [...]}]"

    def check(self, ctx):
        for c, s, e in ctx.subscriptions():
            if e is None or not e.bip_sourced:
                continue
            approved = {(a.event, env) for a in c.compliance.obi_approvals for env in a.environments}
            missing = [env for env in s.environments if (s.event, env) not in approved]
            if missing:
                yield self.finding(c.pos.loc("subscriptions", s.index, "event"), f"{s.event} is sourced from BIP and {c.ref} has no OBI approval for {', '.join(missing)}")
