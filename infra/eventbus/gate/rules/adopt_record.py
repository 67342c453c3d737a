"""adopt-record"""
from eventbus.desired.policy import has_topic
from eventbus.gate.rules import Rule
from eventbus.model import naming


class AdoptRecord(Rule):
    """An adoption record (``adopt/<stack>.yaml``) belongs to a stack and names only what the tree has: each topic is the topic of the event it names on that stack, each subject one of that event's subjects, each application an application of the tree.

    The record is what the first deploy adopts instead of creating; an entry that no longer
    matches the tree would adopt nothing (or the wrong thing), so it is an error: fix the entry
    or remove it (``eventbus import`` writes it again when needed).
    """

    id = "adopt-record"
    hint = "make the entry match the tree, or remove it from the adoption record"

    def check(self, ctx):
        reg = ctx.registry
        stacks = {s.name: s for s in reg.stacks}
        for a in reg.adoptions:
            if a.declared_stack != a.stack:
                yield self.finding(a.pos.loc("stack"), f"{a.file} says stack '{a.declared_stack}'", f"write stack: {a.stack} (the file name)")
            stack = stacks.get(a.stack)
            if stack is None:
                if "stack:" + a.stack not in ctx.broken:
                    yield self.finding(a.pos.loc(), f"{a.file} is the record of stack '{a.stack}', which has no Pulumi.{a.stack}.yaml",
                                       "rename the file after its stack, or remove it")
                continue
            for t in a.topics.values():
                e = reg.events_by_ref.get(t.event)
                if e is None:
                    if t.event not in ctx.broken:
                        yield self.finding(t.loc, f"topic {t.name} is adopted for {t.event}, which is not in the tree", f"restore events/{t.event}/, or remove topics.{t.name}")
                elif stack.topic(e.topic_name) != t.name:
                    yield self.finding(t.loc, f"topic {t.name} is adopted for {t.event}, whose topic on stack {a.stack} is {stack.topic(e.topic_name)}",
                                       f"set topic.name: {t.name.removesuffix(stack.topic_suffix) if stack.topic_suffix else t.name} in {e.file}, or fix the entry")
                elif not has_topic(e, stack):
                    yield self.finding(t.loc, f"topic {t.name} is adopted for {t.event}, which has no topic on stack {a.stack} ({e.lifecycle}, {e.classification})",
                                       "remove the entry, or change the event so that the stack keeps its topic")
            for s in a.subjects.values():
                e = reg.events_by_ref.get(s.event)
                if e is None:
                    if s.event not in ctx.broken:
                        yield self.finding(s.loc, f"subject {s.name} is adopted for {s.event}, which is not in the tree", f"restore events/{s.event}/, or remove subjects.{s.name}")
                    continue
                topic = stack.topic(e.topic_name)
                if s.name not in (naming.subject(topic, "value"), naming.subject(topic, "key")):
                    yield self.finding(s.loc, f"subject {s.name} is not a subject of {s.event} (its topic is {topic})", "fix the entry's event, or remove it")
                elif s.name == naming.subject(topic, "key") and e.key_schema is None and e.ref not in ctx.broken:
                    yield self.finding(s.loc, f"subject {s.name} is adopted, but {s.event} has no key.avsc", f"add {e.folder}/key.avsc (the registry's key schema) and schema.key: key.avsc")
            for ref, legacy in a.applications.items():
                if ref not in reg.consumers_by_ref and ref not in ctx.broken:
                    yield self.finding(legacy.loc, f"application {ref} is not in the tree", f"add consumers/{ref}.yaml, or remove applications.{ref}")
