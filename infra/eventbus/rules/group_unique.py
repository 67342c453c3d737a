"""group-unique"""
from eventbus.rules import Rule


class GroupUnique(Rule):
    """Consumer groups belong to one application: no two applications share a group name or overlap through a prefix.

    Sharing a group would let one application take over the other's partitions
    and commit its offsets.
    """

    id = "group-unique"
    hint = "set consumer_group.name to a name of your own (default <team>.<application>)"

    def check(self, ctx):
        consumers = sorted(ctx.registry.consumers, key=lambda c: c.consumer_group.name)
        for i, c in enumerate(consumers):
            for other in consumers[:i]:
                a, b = other.consumer_group, c.consumer_group
                clash = a.name == b.name or (a.prefix and b.name.startswith(a.name)) or (b.prefix and a.name.startswith(b.name))
                if clash:
                    yield self.finding(c.pos.loc("consumer_group"), f"consumer group '{b.name}'{' (prefix)' if b.prefix else ''} overlaps '{a.name}'{' (prefix)' if a.prefix else ''} of {other.ref}")
