"""topic-rename"""
from eventbus.gate.rules import Rule


class TopicRename(Rule):
    """An existing event keeps its topic name (checked against ``--base``): a new name means a new topic and the old one's data left behind."""

    id = "topic-rename"
    hint = "keep topic.name as it was; register a new event if a new topic is wanted"
    needs_base = True

    def check(self, ctx):
        for e in ctx.registry.events:
            old = ctx.history.get(e.ref)
            if old is not None and old.topic_name != e.topic_name:
                yield self.finding(e.pos.loc("topic", "name"), f"topic name changed from {old.topic_name} to {e.topic_name}: the topic would be replaced and its data lost")
