"""adopt-partitions"""
from eventbus.gate.rules import Rule


class AdoptPartitions(Rule):
    """An adopted topic keeps at least the partitions it has on the cluster (its adoption record says how many).

    Kafka cannot remove partitions: the Pulumi provider would delete and recreate the topic,
    losing every record in it. The deploy runs the gate first, so such a tree is refused before
    anything is touched.
    """

    id = "adopt-partitions"
    hint = "keep at least the live partition count"

    def check(self, ctx):
        for a in ctx.registry.adoptions:
            for t in a.topics.values():
                e = ctx.registry.events_by_ref.get(t.event)
                if e is not None and e.topic.partitions < t.partitions:
                    yield self.finding(e.pos.loc("topic", "partitions"),
                                       f"the live topic {t.name} has {t.partitions} partitions on stack {a.stack}; the tree says {e.topic.partitions}: "
                                       "Kafka cannot remove partitions, and recreating the topic would lose its records",
                                       f"set topic.partitions to {t.partitions} or more")
