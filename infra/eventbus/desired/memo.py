"""What a process that computes the desired states of one tree again and again (``eventbus catalog serve``) keeps
between computations: per stack and application, the grants :func:`eventbus.desired.access.access` made, and per
stack and event, its topic.

The model is immutable, and a serving process keeps the objects of the events and applications that did not change
(:class:`eventbus.load.snapshot.Objects`), so the next computation is handed the very same objects for them. An
entry is keyed by the identity of every object it was made of (the stack, the application, its adoption entry,
the events it produces and consumes, by topic; for a topic its event and adoption entry) and by the plain values
gathered with them, and it holds those objects, so that no other object can take their identities. A computation
keeps only the entries it used or made. The result is the same as without the memo: ``tests/desired/test_memo.py``.
"""
from __future__ import annotations

from typing import Any


class Memo:
    def __init__(self) -> None:
        self.apps: dict[str, dict[tuple, tuple[Any, tuple]]] = {}  # stack -> key -> ((acls, role, app spec), the objects of the key)
        self.topics: dict[str, dict[tuple, tuple[Any, tuple]]] = {}  # stack -> key -> (topic spec, the objects of the key)
        self.hits = 0  # entries used, in all computations (for tests and benchmarks)
