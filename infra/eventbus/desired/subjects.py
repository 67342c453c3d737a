"""Schema-registry subjects (topic-name strategy): ``<topic>-value`` with every version in order,
and ``<topic>-key`` when the event has a key schema."""
from __future__ import annotations

from eventbus.desired.specs import SubjectSpec
from eventbus.model import GLUE_MODES, Event, naming
from eventbus.model.adoption import Adoption
from eventbus.model.stack import StackConfig


def subjects(events: dict[str, Event], stack: StackConfig, adoption: Adoption | None = None) -> list[SubjectSpec]:
    """A subject the stack's adoption record holds is adopted (``adopt``)."""
    out: list[SubjectSpec] = []
    if stack.registry_kind == "none":
        return out
    found = adoption.subjects if adoption is not None else {}
    for e in events.values():
        topic = stack.topic(e.topic_name)
        value = naming.subject(topic, "value")
        out.append(SubjectSpec(value, e.ref, "value", e.compatibility, GLUE_MODES[e.compatibility],
                               tuple((v.version, v.text) for v in e.versions), stack.protect, value if value in found else None))
        if e.key_schema is not None:
            # a key never changes once merged (version-immutable): no compatibility to keep
            key = naming.subject(topic, "key")
            out.append(SubjectSpec(key, e.ref, "key", "NONE", "DISABLED", ((1, e.key_schema.text),), stack.protect, key if key in found else None))
    return out
