"""What rules read: the tree at HEAD (and at the base ref), with the walks most rules need."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from eventbus.model import Consumer, Event, Producer, Registry, Subscription, merged_events
from eventbus.model.stack import StackConfig


@dataclass
class Context:
    registry: Registry
    broken: set[str] = field(default_factory=set)  # refs / paths of documents the loader left out
    base: Registry | None = None
    today: dt.date = field(default_factory=dt.date.today)

    _avro_pending: Any = None
    _desired: dict = field(default_factory=dict, repr=False)

    # -- walks ---------------------------------------------------------------------------------
    def subscriptions(self) -> Iterator[tuple[Consumer, Subscription, Event | None]]:
        """Every subscription of every application, with the event it names (None if unknown)."""
        events = self.registry.events_by_ref
        for c in self.registry.consumers:
            for s in c.subscriptions:
                yield c, s, events.get(s.event)

    def producers(self) -> Iterator[tuple[Event, Producer, Consumer | None]]:
        """Every producer entry of every event, with the application file it refers to."""
        for e in self.registry.events:
            for p in e.producers:
                yield e, p, self.registry.producer_app(e, p)

    def principals(self) -> Iterator[tuple[Consumer, str, int, str]]:
        """(application, environment, index, ARN) of every principal."""
        for c in self.registry.consumers:
            for env, arns in c.principals.items():
                for i, arn in enumerate(arns):
                    yield c, env, i, arn

    @cached_property
    def stacks_by_env(self) -> dict[str, list[StackConfig]]:
        out: dict[str, list[StackConfig]] = {}
        for s in self.registry.stacks:
            out.setdefault(s.environment, []).append(s)
        return out

    # -- derived, computed once ------------------------------------------------------------------
    @cached_property
    def history(self) -> dict[str, Event]:
        """Event ref -> the event as merged at the base (followed through a move that kept its topic)."""
        return merged_events(self.registry.events, self.base)

    def desired(self, stack: StackConfig):
        """The desired state of ``stack`` for this tree."""
        if stack.name not in self._desired:
            from eventbus.desired import compute

            self._desired[stack.name] = compute(self.registry, stack)
        return self._desired[stack.name]

    def start_avro(self) -> None:
        """Start the Avro analysis in the background if it has not started yet."""
        if self._avro_pending is None:
            from eventbus.avro import analysis

            self._avro_pending = analysis.start(self.registry.events, self.base)

    @property
    def avro(self):
        """Parse results and compatibility problems of every schema file (computed once)."""
        self.start_avro()
        return self._avro_pending.result()
