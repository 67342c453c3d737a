"""min-insync-replicas"""
from eventbus.gate.rules import Rule


class MinInsyncReplicas(Rule):
    """An event's ``topic.min_insync_replicas`` is at most the replication factor of every stack that has its topic.

    With more in-sync replicas required than there are replicas, every write with
    ``acks=all`` fails. The value is never lowered silently: only a stack's explicit
    ``eventbus:minInsyncReplicasCap`` (a single-broker local stack) lowers it, and the plan
    shows the value each stack gets.
    """

    id = "min-insync-replicas"
    hint = "lower topic.min_insync_replicas to at most the replication factor"

    def check(self, ctx):
        from eventbus.desired.policy import has_topic

        for e in ctx.registry.events:
            for s in ctx.registry.stacks:
                if not has_topic(e, s):
                    continue
                effective = s.min_insync(e.topic.min_insync_replicas)
                if effective > s.replication_factor:
                    yield self.finding(
                        e.pos.loc("topic", "min_insync_replicas"),
                        f"min_insync_replicas {effective} is above the replication factor {s.replication_factor} of stack {s.name}: every acks=all write would fail",
                        f"set topic.min_insync_replicas to at most {s.replication_factor}",
                    )
