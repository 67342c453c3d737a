"""What a stack's adoption record (``adopt/<stack>.yaml``) found live, as specs: the "before" of
each adopted topic and subject, so the plan shows an adoption with the settings it changes."""
from __future__ import annotations

from dataclasses import replace

from eventbus.desired.specs import SubjectSpec, TopicSpec
from eventbus.model.adoption import Adoption


def recorded_topics(adoption: Adoption | None, topics: list[TopicSpec]) -> tuple[TopicSpec, ...]:
    """Each adopted topic as it was found: the tree's spec with the recorded partitions,
    replication factor and settings (a setting the record does not hold is taken as the tree's)."""
    out = []
    for t in topics:
        if adoption is None or t.adopt is None:
            continue
        found = adoption.topics[t.adopt]
        config = {**t.config_dict, **dict(found.kept_config), **dict(found.config)}
        out.append(replace(t, partitions=found.partitions, replication_factor=found.replication_factor or t.replication_factor,
                           config=tuple(sorted(config.items()))))
    return tuple(sorted(out))


def recorded_subjects(adoption: Adoption | None, subjects: list[SubjectSpec]) -> tuple[SubjectSpec, ...]:
    """Each adopted subject as it was found: its level, and its versions as ``(version, fingerprint)``."""
    out = []
    for s in subjects:
        if adoption is None or s.adopt is None:
            continue
        found = adoption.subjects[s.adopt]
        out.append(replace(s, compatibility=found.compatibility or s.compatibility, versions=tuple((v.version, v.fingerprint) for v in found.versions)))
    return tuple(sorted(out))
