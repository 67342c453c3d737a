"""name-limits"""
from eventbus.gate.rules import Rule
from eventbus.model import naming


class NameLimits(Rule):
    """Derived names fit the limits of the systems they are created in: topics at most 249 characters (with the stack's suffix), subjects 255, IAM role names 64.

    A name over a limit passes nowhere at deploy time, and the failure stops the whole
    stack's deploy, not only the event or application that has it.
    """

    id = "name-limits"
    uses_desired = True
    hint = "choose a shorter event, team or application id"

    def check(self, ctx):
        seen = set()
        for stack in ctx.registry.stacks:
            state = ctx.desired(stack)
            events = ctx.registry.events_by_ref
            for t in state.topics:
                e = events.get(t.event)
                if e is not None and len(t.name) > naming.TOPIC_MAX and (e.ref, "topic") not in seen:
                    seen.add((e.ref, "topic"))
                    yield self.finding(e.pos.loc("topic", "name") if e.topic.name else e.pos.loc(),
                                       f"topic '{t.name[:60]}…' of stack {stack.name} has {len(t.name)} characters; Kafka allows {naming.TOPIC_MAX}",
                                       "shorten the event's folder name (or topic.name)")
            for s in state.subjects:
                e = events.get(s.event)
                if e is not None and len(s.name) > naming.SUBJECT_MAX and (e.ref, "subject") not in seen:
                    seen.add((e.ref, "subject"))
                    yield self.finding(e.pos.loc(), f"subject '{s.name[:60]}…' has {len(s.name)} characters; the schema registry allows {naming.SUBJECT_MAX}",
                                       "shorten the event's folder name (or topic.name)")
            apps = ctx.registry.consumers_by_ref
            for r in state.roles:
                c = apps.get(r.app)
                if c is not None and len(r.name) > naming.ROLE_MAX and (r.app, "role") not in seen:
                    seen.add((r.app, "role"))
                    yield self.finding(c.pos.loc("application"),
                                       f"IAM role name '{r.name}' of stack {stack.name} has {len(r.name)} characters; IAM allows {naming.ROLE_MAX}",
                                       f"shorten the application id (at most {naming.ROLE_MAX - len(r.name) + len(c.application)} characters here) or the team id")
