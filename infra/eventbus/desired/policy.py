"""The access policy the gate checks and the desired state applies: one definition of each."""
from __future__ import annotations

from collections.abc import Iterable

from eventbus.model import Event
from eventbus.model.stack import StackConfig


def admitted(e: Event, app_ref: str) -> bool:
    """A restricted event admits only the applications its owners list in ``allowed_consumers``."""
    return e.access_policy != "restricted" or app_ref in e.allowed_consumers


def allowed_in(stacks: Iterable[StackConfig], classification: str) -> bool:
    """Whether every stack of an environment allows data of ``classification`` (the sandbox: none)."""
    return all(classification in s.allowed_classifications for s in stacks)


def has_topic(e: Event, stack: StackConfig) -> bool:
    """An event has a topic on every stack that allows its data, until it is retired."""
    return e.lifecycle != "retired" and e.classification in stack.allowed_classifications
