"""partitions-grow"""
from eventbus.gate.rules import Rule


class PartitionsGrow(Rule):
    """A topic's partition count can only grow (checked against ``--base``).

    Kafka cannot remove partitions; tools that try delete and recreate the
    topic, losing its data. Growing changes which partition a key maps to,
    so the plan flags it for keyed events.
    """

    id = "partitions-grow"
    hint = "keep the partition count, or raise it"
    needs_base = True

    def check(self, ctx):
        for e in ctx.registry.events:
            old = ctx.history.get(e.ref)
            if old is not None and e.topic.partitions < old.topic.partitions:
                yield self.finding(e.pos.loc("topic", "partitions"), f"partitions lowered from {old.topic.partitions} to {e.topic.partitions}", f"set partitions back to {old.topic.partitions} or more")
