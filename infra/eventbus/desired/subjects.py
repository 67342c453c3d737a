"""Schema-registry subjects (topic-name strategy): ``<topic>-value`` with every version in order,
and ``<topic>-key`` when the event has a key schema."""
from __future__ import annotations

from eventbus.desired.specs import SubjectSpec
from eventbus.model import GLUE_MODES, Event, naming
from eventbus.model.stack import StackConfig


def subjects(events: dict[str, Event], stack: StackConfig) -> list[SubjectSpec]:
    out: list[SubjectSpec] = []
    if stack.registry_kind == "none":
        return out
    for e in events.values():
        topic = stack.topic(e.topic_name)
        out.append(SubjectSpec(naming.subject(topic, "value"), e.ref, "value", e.compatibility, GLUE_MODES[e.compatibility],
                               tuple((v.version, v.text) for v in e.versions), stack.protect))
        if e.key_schema is not None:
            # a key never changes once merged (version-immutable): no compatibility to keep
            out.append(SubjectSpec(naming.subject(topic, "key"), e.ref, "key", "NONE", "DISABLED", ((1, e.key_schema.text),), stack.protect))
    return out
