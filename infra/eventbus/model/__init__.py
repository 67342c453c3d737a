"""The registry model: one immutable, typed picture of the tree, and the names derived from it.

``registry`` holds the items (teams, events, applications, each knowing its file and line),
``stack`` a deployment target's settings, ``naming`` every derived name, ``findings`` what a
check reports. Pure data: reading lives in :mod:`eventbus.load`, checks in :mod:`eventbus.gate`.
"""
from eventbus.model.registry import (  # noqa: F401
    CLASSIFICATIONS,
    COMPATIBILITY_MODES,
    GLUE_MODES,
    LIFECYCLES,
    PROMISES,
    Compliance,
    Consumer,
    ConsumerGroup,
    Contact,
    Event,
    Example,
    Loc,
    ObiApproval,
    Positions,
    Producer,
    Registry,
    SchemaVersion,
    SourceSystem,
    Subscription,
    Team,
    TopicSettings,
    merged_events,
    weakens,
)
