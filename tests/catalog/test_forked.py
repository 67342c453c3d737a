"""Forked workers (eventbus.catalog.forked): a child's value comes back whole, its failures as ChildFailed."""
from __future__ import annotations

import os
import signal
import time

import pytest

from eventbus.catalog.forked import ChildFailed, fork_call

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")


def test_a_child_returns_its_value():
    assert fork_call(lambda a, b: {"sum": a + b, "list": [a, b]}, 2, 3).result() == {"sum": 5, "list": [2, 3]}


def test_a_childs_error_is_reported_with_its_message():
    def fail():
        raise ValueError("no such page")

    with pytest.raises(ChildFailed, match="rendering: ValueError: no such page"):
        fork_call(fail, what="rendering").result()


def test_a_child_that_dies_without_reporting_fails():
    def die():
        os.kill(os.getpid(), signal.SIGKILL)

    with pytest.raises(ChildFailed, match="without a complete report"):
        fork_call(die).result()


def test_a_large_report_interrupted_by_signals_arrives_whole():
    """A pipe write interrupted by a signal writes part of the report: the child writes the rest."""
    payload = os.urandom(1 << 22)

    def big():
        signal.signal(signal.SIGUSR1, lambda *_: None)  # a handler, so the signal interrupts the blocked write
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGUSR1})
        return payload

    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})  # no signal reaches the child before its handler
    try:
        child = fork_call(big)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)
    time.sleep(0.3)  # the child has filled the pipe and waits in write()
    for _ in range(20):
        os.kill(child.pid, signal.SIGUSR1)
        time.sleep(0.005)
    assert child.result() == payload
