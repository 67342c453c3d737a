"""group-owner"""
from eventbus.gate.rules import Rule
from eventbus.model import naming


class GroupOwner(Rule):
    """An application's consumer group (or group prefix) starts with its own team id and a dot: ``<team>.``.

    Group names (and prefixes) are granted to the application; a name outside its team's
    space could reach the groups of another team's applications.
    """

    id = "group-owner"
    hint = "start consumer_group.name with '<team>.', e.g. <team>.<application>"

    def check(self, ctx):
        for c in ctx.registry.consumers:
            g = c.consumer_group
            if not naming.group_owned_by(g.name, c.team):
                yield self.finding(
                    c.pos.loc("consumer_group", "name"),
                    f"consumer group{' prefix' if g.prefix else ''} '{g.name}' does not start with '{c.team}.'",
                    f"name it {c.team}.{c.application} (or another name starting with '{c.team}.')",
                )
