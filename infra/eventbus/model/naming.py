"""Every name the bus derives from the tree, in one place.

Team and application ids are ``[a-z][a-z0-9-]*`` and event folders are snake_case, so a ``.``
(or ``/``) between parts keeps every derived name unique: ``va`` + ``notify-x`` and
``va-notify`` + ``x`` can never meet. The gate checks the limits below before anything deploys.
"""
from __future__ import annotations

from typing import NamedTuple

TOPIC_MAX = 249  # Kafka's limit for a topic name
ROLE_MAX = 64  # IAM role names
SUBJECT_MAX = 255  # `<topic>-value` at the longest topic
GROUP_MAX = 249  # kept within the topic limit: some tools mirror groups into topic names


def app_ref(team: str, application: str) -> str:
    """How files refer to an application: ``<team>/<application>``."""
    return f"{team}/{application}"


def event_ref(domain: str, event: str) -> str:
    """How files refer to an event: ``<domain>/<event>``."""
    return f"{domain}/{event}"


def base_topic(domain: str, event: str, explicit: str | None = None) -> str:
    """The topic before a stack's suffix: ``<domain>_<event>`` or the event's legacy ``topic.name``."""
    return explicit or f"{domain}_{event}"


def topic(base: str, suffix: str) -> str:
    """The topic of a stack: the base name and the stack's suffix (``_sandbox``)."""
    return base + suffix


def kafka_user(team: str, application: str) -> str:
    """The SASL/SCRAM user and ACL principal name of an application: ``<team>.<application>``."""
    return f"{team}.{application}"


def principal(user: str) -> str:
    return f"User:{user}"


def default_group(team: str, application: str) -> str:
    """The consumer group an application gets when its file names none."""
    return f"{team}.{application}"


def group_owned_by(group: str, team: str) -> bool:
    """A team's consumer groups (and group prefixes) start with ``<team>.``."""
    return group.startswith(team + ".")


def role_name(prefix: str, team: str, application: str) -> str:
    """The IAM role of an application on a stack: ``<prefix>.<team>.<application>``."""
    return f"{prefix}.{team}.{application}"


def subject(topic_name: str, kind: str) -> str:
    """Schema Registry subject (topic-name strategy): ``<topic>-value`` or ``<topic>-key``."""
    return f"{topic_name}-{kind}"


class AppNames(NamedTuple):
    """An application's names on one stack."""

    kafka_user: str
    group: str
    group_prefix: bool
    role: str


def app_names(team: str, application: str, role_prefix: str, group: str, group_prefix: bool, legacy=None) -> AppNames:
    """The names of an application on a stack: derived (``group`` is the one its file declares, or
    :func:`default_group`), except where the stack's adoption record keeps the names it already has
    live (``legacy``: an :class:`eventbus.model.adoption.LegacyIdentity`). The one place the override
    applies."""
    names = AppNames(kafka_user(team, application), group, group_prefix, role_name(role_prefix, team, application))
    if legacy is None:
        return names
    return AppNames(
        legacy.kafka_user or names.kafka_user,
        legacy.consumer_group or names.group,
        legacy.group_prefix if legacy.consumer_group else names.group_prefix,
        legacy.role or names.role,
    )
