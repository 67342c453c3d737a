"""group-unique"""
import bisect

from eventbus.gate.rules import Rule


class GroupUnique(Rule):
    """Consumer groups belong to one application: no two applications share a group name or overlap through a prefix.

    Sharing a group would let one application take over the other's partitions
    and commit its offsets.
    """

    id = "group-unique"
    hint = "set consumer_group.name to a name of your own (default <team>.<application>)"

    def check(self, ctx):
        consumers = sorted(ctx.registry.consumers, key=lambda c: (c.consumer_group.name, c.ref))
        names = [c.consumer_group.name for c in consumers]
        reported = set()
        for i, c in enumerate(consumers):
            if i and names[i - 1] == names[i]:
                reported.add(c.ref)
                yield self._clash(c, consumers[i - 1])
        for c in consumers:
            if not c.consumer_group.prefix:
                continue
            lo = bisect.bisect_left(names, c.consumer_group.name)
            hi = bisect.bisect_left(names, c.consumer_group.name + "\U0010ffff")
            for other in consumers[lo:hi]:
                if other is not c and other.ref not in reported and other.consumer_group.name != c.consumer_group.name:
                    reported.add(other.ref)
                    yield self._clash(other, c)

    def _clash(self, c, other):
        a, b = other.consumer_group, c.consumer_group
        return self.finding(
            c.pos.loc("consumer_group"),
            f"consumer group '{b.name}'{' (prefix)' if b.prefix else ''} overlaps '{a.name}'{' (prefix)' if a.prefix else ''} of {other.ref}",
        )
