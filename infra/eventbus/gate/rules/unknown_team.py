"""unknown-team"""
from eventbus.gate.rules import Rule


class UnknownTeam(Rule):
    """Every owner team and consumer team has a record in teams/<id>.yaml."""

    id = "unknown-team"
    hint = "add teams/<id>.yaml for the team, or fix the id"

    def check(self, ctx):
        teams = ctx.registry.teams_by_id
        for e in ctx.registry.events:
            if e.owner not in teams and f"team:{e.owner}" not in ctx.broken:
                yield self.finding(e.pos.loc("owner"), f"owner team '{e.owner}' has no file teams/{e.owner}.yaml", f"add teams/{e.owner}.yaml, or set owner to one of: {', '.join(sorted(teams)) or 'none yet'}")
        reported = set()
        for c in ctx.registry.consumers:
            if c.team not in teams and f"team:{c.team}" not in ctx.broken and c.team not in reported:
                reported.add(c.team)
                yield self.finding(c.pos.loc("team"), f"team '{c.team}' has no file teams/{c.team}.yaml", f"add teams/{c.team}.yaml describing the team")
