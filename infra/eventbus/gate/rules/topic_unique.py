"""topic-unique"""
from eventbus.gate.rules import Rule
from eventbus.model import Event


class TopicUnique(Rule):
    """Every event has a topic of its own: no two events map to the same topic name.

    The topic name is ``<domain>_<event>`` (or ``topic.name`` for topics older
    than the registry), so ``events/claims/status`` and an explicit
    ``topic.name: claims_status`` elsewhere would collide.
    """

    id = "topic-unique"
    hint = "rename one of the event folders (or its topic.name)"

    def check(self, ctx):
        seen: dict[str, Event] = {}
        for e in ctx.registry.events:
            other = seen.setdefault(e.topic_name, e)
            if other is not e:
                yield self.finding(e.pos.loc("topic", "name") if e.topic.name else e.pos.loc(), f"topic name '{e.topic_name}' is already used by {other.ref} ({other.file})")
