"""Topics: one per event that the stack allows, named and configured from the event's settings."""
from __future__ import annotations

from eventbus.desired.memo import Memo
from eventbus.desired.policy import has_topic
from eventbus.desired.specs import TopicSpec
from eventbus.model import Event, Registry
from eventbus.model.adoption import Adoption
from eventbus.model.stack import StackConfig


def topic_config(e: Event, stack: StackConfig) -> tuple[tuple[str, str], ...]:
    return tuple(sorted({
        "cleanup.policy": e.topic.cleanup_policy,
        "retention.ms": str(e.topic.retention_ms),
        "min.insync.replicas": str(stack.min_insync(e.topic.min_insync_replicas)),
        "max.message.bytes": str(e.topic.max_message_bytes),
    }.items()))


def classified_fields(e: Event) -> tuple[tuple[str, str], ...]:
    """(dotted path, PII | PHI) of every classified field of the event's latest value schema."""
    from eventbus.avro.contract import mentions_classification, schema_fields

    sv = e.latest
    if sv is None or sv.schema is None or not mentions_classification(sv.text, sv.digest):
        return ()
    return tuple((f.path, f.classification) for f in schema_fields(sv.schema, sv.digest).classified)


def live_events(registry: Registry, stack: StackConfig) -> dict[str, Event]:
    """The events with a topic on this stack, by ref."""
    return {e.ref: e for e in registry.events if has_topic(e, stack)}


def topics(
    events: dict[str, Event], stack: StackConfig, adoption: Adoption | None = None,
    predecessors: dict[str, tuple[str, ...]] | None = None, memo: Memo | None = None,
) -> list[TopicSpec]:
    """One spec per event; a topic the stack's adoption record holds is adopted (``adopt``), with the
    other topic-level settings found on it kept as they are; ``predecessors``: event ref -> the events
    it replaces (Registry.predecessors). ``memo``: the specs of the last computations, by the identity of
    what they were made of (:mod:`eventbus.desired.memo`); updated."""
    predecessors = predecessors or {}
    out = []
    made: dict[tuple, tuple] = {}
    kept = memo.topics.get(stack.name, {}) if memo is not None else {}
    for e in events.values():
        name = stack.topic(e.topic_name)
        found = adoption.topics.get(name) if adoption is not None else None
        key = (id(stack), id(e), id(found), predecessors.get(e.ref, ()))
        got = kept.get(key)
        if got is not None:
            assert memo is not None
            memo.hits += 1
            made[key] = got
            out.append(got[0])
            continue
        config = topic_config(e, stack)
        if found is not None and found.kept_config:
            config = tuple(sorted({**dict(found.kept_config), **dict(config)}.items()))
        out.append(TopicSpec(
            name=name,
            event=e.ref,
            partitions=e.topic.partitions,
            replication_factor=stack.replication_factor,
            config=config,
            protect=stack.protect,
            classification=e.classification,
            lifecycle=e.lifecycle,
            keyed=e.key_schema is not None,
            access_policy=e.access_policy,
            classified_fields=classified_fields(e),
            replaces=predecessors.get(e.ref, ()),
            replaced_by=e.replaced_by,
            adopt=name if found is not None else None,
        ))
        if memo is not None:
            made[key] = (out[-1], (stack, e, found))
    if memo is not None:
        memo.topics[stack.name] = made
    return out
